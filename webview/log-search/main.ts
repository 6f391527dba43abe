// Entry point of the Log search webview bundle.
import './log-search-app';

function mount(): void {
  if (!document.querySelector('taskscope-log-search')) document.body.append(document.createElement('taskscope-log-search'));
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount, { once: true });
else mount();
