// Entry point of the Overview webview bundle: defines the elements and mounts <taskscope-overview> in the page.
import './overview-app';

function mount(): void {
  // The host's HTML may already contain the element; otherwise create it, so the bundle works with a bare <body>.
  if (!document.querySelector('taskscope-overview')) document.body.append(document.createElement('taskscope-overview'));
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount, { once: true });
else mount();
