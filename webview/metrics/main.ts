// Entry point of the Metric charts webview bundle.
import './metrics-app';

function mount(): void {
  if (!document.querySelector('taskscope-metrics')) document.body.append(document.createElement('taskscope-metrics'));
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount, { once: true });
else mount();
