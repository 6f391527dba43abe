// Entry point of the Workflow graph webview bundle.
import './workflow-graph-app';

function mount(): void {
  if (!document.querySelector('taskscope-workflow-graph')) document.body.append(document.createElement('taskscope-workflow-graph'));
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount, { once: true });
else mount();
