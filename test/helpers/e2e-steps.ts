// Steps the e2e tests share: what a user does in the workbench, on top of a launched VSCodeSession.
import type { VSCodeSession } from './vscode-e2e';

/** Runs `fn`; on failure saves test-results/<name>-failed.png first, so a red run shows what the user saw. */
export async function withFailureScreenshot<T>(session: VSCodeSession, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    await session.screenshot(`${name}-failed`).catch(() => undefined);
    throw err;
  }
}

/** Switches the colour theme the way a user does: "Preferences: Color Theme", type the name, pick it. */
export async function setColorTheme(session: VSCodeSession, theme: string, light: boolean): Promise<void> {
  await session.runCommand('Preferences: Color Theme');
  const input = session.page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(theme);
  // The picker labels the built-in themes without "Default" (e.g. "Light Modern").
  const row = session.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: theme }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await row.click();
  const cls = light ? 'vs' : 'vs-dark';
  await session.waitFor(() => session.page.evaluate<boolean>(`document.querySelector('.monaco-workbench')?.classList.contains(${JSON.stringify(cls)}) === true`), 20_000, `workbench theme class "${cls}"`);
  await session.page.waitForTimeout(1_000); // webviews receive the new --vscode-* variables
}

/** Expands one of the three Taskscope views and collapses the other two, so its rows get the whole sidebar (tree rows
 *  are virtualized: rows scrolled out of a short pane are not in the DOM); `'all'` expands all three again. */
export async function showOnlyView(session: VSCodeSession, view: 'Queues' | 'Workers' | 'Workflows' | 'all'): Promise<void> {
  for (const name of ['Queues', 'Workers', 'Workflows']) {
    const header = session.page.locator('.part.sidebar .pane-header', { hasText: new RegExp(`^\\s*${name}`, 'i') }).first();
    await header.waitFor({ state: 'visible', timeout: 20_000 });
    const expanded = (await header.getAttribute('aria-expanded')) === 'true';
    if (expanded !== (view === 'all' || name === view)) await header.click();
  }
}
