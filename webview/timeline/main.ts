// Entry point of the Timeline webview bundle.
import './timeline-app';

function mount(): void {
  if (!document.querySelector('taskscope-timeline')) document.body.append(document.createElement('taskscope-timeline'));
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount, { once: true });
else mount();
