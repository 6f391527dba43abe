// The window of task rows a state group shows: pages of TASK_PAGE_SIZE, at most TASK_WINDOW_MAX rows, so no
// tree node ever has more children than that. No vscode import: unit tests read it.

export const TASK_PAGE_SIZE = 50;
export const TASK_WINDOW_MAX = 200;

export interface RowWindow { start: number; end: number }

/** Moves a state's row window one page older (`more`) or newer, keeping it at most TASK_WINDOW_MAX rows. */
export function moveWindow(w: RowWindow, direction: 'more' | 'newer', total: number): RowWindow {
  if (direction === 'more') {
    const end = Math.min(Math.max(total, w.end), w.end + TASK_PAGE_SIZE);
    return { start: Math.max(w.start, end - TASK_WINDOW_MAX), end };
  }
  const start = Math.max(0, w.start - TASK_PAGE_SIZE);
  return { start, end: Math.min(w.end, start + TASK_WINDOW_MAX) };
}
