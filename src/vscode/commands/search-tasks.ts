// "Search Tasks…": a QuickPick that searches every connected source that can search, as you type: the exact
// id first, then name/payload/error/log substrings over the newest jobs of each state (setting
// taskscope.search.maxJobsPerState), results streaming in, cancelled when the text changes or the pick
// closes, and the title saying plainly when the result is partial. Picking a result opens its task JSON.
import * as vscode from 'vscode';
import type { TaskSearchHit } from '../../core/source/task-query';
import type { MonitorSession } from '../../sources/monitor-session';
import { SECTION } from '../config';
import type { TaskLocator } from '../task-document';

interface HitItem extends vscode.QuickPickItem { readonly locator: TaskLocator }

const MAX_ITEMS = 500;
const DEBOUNCE_MS = 250;

export async function searchTasks(session: MonitorSession, open: (t: TaskLocator) => Promise<void>): Promise<void> {
  const pick = vscode.window.createQuickPick<HitItem>();
  pick.title = 'Search Tasks';
  pick.placeholder = 'Job id, or text in the name, payload, error or logs';
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  let run: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const maxJobsPerState = vscode.workspace.getConfiguration(SECTION).get<number>('search.maxJobsPerState', 5_000);

  const start = (text: string): void => {
    run?.abort();
    pick.items = [];
    if (text.trim() === '') { pick.busy = false; pick.title = 'Search Tasks'; return; }
    const abort = new AbortController();
    run = abort;
    pick.busy = true;
    pick.title = `Searching for "${text}"…`;
    const connections = session.store.connections().filter((c) => c.state === 'connected');
    const items: HitItem[] = [];
    const onHits = (hits: readonly TaskSearchHit[]): void => {
      if (abort.signal.aborted) return;
      for (const h of hits) {
        if (items.length >= MAX_ITEMS) break;
        items.push({
          label: `${h.field === 'id' ? '$(target) ' : ''}${h.task.name ?? 'job'} #${h.task.id}`,
          description: `${h.task.queue ?? ''} · ${h.task.status} · ${session.store.connection(h.task.connectionId)?.name ?? h.task.connectionId}`,
          detail: `${h.field}: ${h.excerpt}`,
          alwaysShow: true,
          locator: { connectionId: h.task.connectionId, queue: h.task.queue, id: h.task.id },
        });
      }
      pick.items = [...items];
    };
    void Promise.all(connections.map((c) => session.searchTasks(c.id, { text, maxJobsPerState }, onHits, abort.signal).catch((e: unknown) => ({ scanned: 0, hits: 0, partial: true, cancelled: false, note: `${c.name}: ${e instanceof Error ? e.message : String(e)}` }))))
      .then((summaries) => {
        if (abort.signal.aborted) return;
        pick.busy = false;
        const done = summaries.filter((s) => s !== undefined);
        const scanned = done.reduce((a, s) => a + s.scanned, 0);
        const partial = done.some((s) => s.partial) || items.length >= MAX_ITEMS;
        const notes = done.map((s) => s.note).filter(Boolean);
        pick.title = `${items.length} result(s) for "${text}" · ${scanned} jobs scanned${partial ? ' · PARTIAL: not every job was searched' : ''}`;
        if (notes.length > 0) pick.placeholder = notes.join(' · ').slice(0, 300);
        if (done.length === 0) pick.title = 'No connected source can search tasks';
      });
  };

  pick.onDidChangeValue((v) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => start(v), DEBOUNCE_MS);
  });
  pick.onDidAccept(() => {
    const item = pick.selectedItems[0];
    if (!item) return;
    run?.abort();
    pick.hide();
    void open(item.locator);
  });
  pick.onDidHide(() => {
    run?.abort();
    if (timer) clearTimeout(timer);
    pick.dispose();
  });
  pick.show();
}
