// Entry point of the Task detail webview bundle.
import './task-detail-app';

function mount(): void {
  if (!document.querySelector('taskscope-task-detail')) document.body.append(document.createElement('taskscope-task-detail'));
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount, { once: true });
else mount();
