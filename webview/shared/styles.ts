// Shared webview CSS: typography, focus rings, badges, status dots and state colours, all from `--vscode-*`
// variables so light, dark and high-contrast themes work without a line of theme-specific code.
import { css } from 'lit';

/**
 * Base look for every panel. Adopted as a constructable stylesheet by Lit, which CSP `style-src` does not
 * govern, so it works under a policy without `'unsafe-inline'`. Never bind `style="…"` attributes in
 * templates: those are inline styles and are blocked by such a policy; use classes (or `.style` properties).
 */
export const baseStyles = css`
  :host {
    display: block;
    box-sizing: border-box;
    color: var(--vscode-foreground);
    font-family: var(--vscode-font-family);
    font-size: var(--vscode-font-size, 13px);
    font-weight: var(--vscode-font-weight, normal);
    line-height: 1.4;
  }
  *, *::before, *::after { box-sizing: inherit; }

  h1, h2, h3 { margin: 0; font-weight: 600; }
  h1 { font-size: 1.45em; }
  h2 { font-size: 1.05em; }

  .muted { color: var(--vscode-descriptionForeground); }
  .mono { font-family: var(--vscode-editor-font-family, monospace); font-size: 0.92em; }
  .num { font-variant-numeric: tabular-nums; text-align: right; }
  .visually-hidden {
    position: absolute !important; width: 1px; height: 1px; overflow: hidden;
    clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap;
  }

  :focus { outline: none; }
  :focus-visible {
    outline: 1px solid var(--vscode-focusBorder);
    outline-offset: -1px;
  }

  /* A borderless button that looks like VS Code's header and link actions. */
  .link-button {
    appearance: none; border: 0; background: none; padding: 0; margin: 0;
    font: inherit; color: inherit; cursor: pointer; text-align: inherit;
  }

  /* Small pill for flags such as "paused" or "read-only"; text, so it also reads in high contrast. */
  .pill {
    display: inline-flex; align-items: center; gap: 4px;
    padding: 0 6px; border-radius: 9px; min-height: 18px;
    font-size: 11px; line-height: 16px; white-space: nowrap;
    border: 1px solid var(--vscode-contrastBorder, transparent);
    background: var(--vscode-badge-background);
    color: var(--vscode-badge-foreground);
  }
  .pill.outline {
    background: transparent;
    color: var(--vscode-descriptionForeground);
    border-color: var(--vscode-widget-border, var(--vscode-descriptionForeground));
  }
  .pill.warning {
    background: var(--vscode-inputValidation-warningBackground, transparent);
    color: var(--vscode-foreground);
    border-color: var(--vscode-inputValidation-warningBorder, var(--vscode-editorWarning-foreground));
  }
  .pill.error {
    background: transparent;
    color: var(--vscode-errorForeground);
    border-color: var(--vscode-errorForeground);
  }

  /* Status dots. Colour is never the only signal: the state is always written next to the dot. */
  .dot {
    display: inline-block; flex: none; width: 8px; height: 8px; border-radius: 50%;
    background: var(--dot-color, var(--vscode-descriptionForeground));
  }
  .health-connected { --dot-color: var(--vscode-testing-iconPassed, #73c991); }
  .health-connecting, .health-reconnecting { --dot-color: var(--vscode-charts-yellow, #cca700); }
  .health-disconnected { --dot-color: var(--vscode-testing-iconFailed, #f14c4c); }
  .health-idle, .health-stopped { --dot-color: var(--vscode-disabledForeground, #888888); }
  .health-idle .dot, .health-stopped .dot, .dot.hollow {
    background: transparent; box-shadow: inset 0 0 0 1.5px var(--dot-color);
  }
  @media (prefers-reduced-motion: no-preference) {
    .health-connecting .dot, .health-reconnecting .dot { animation: pulse 1.6s ease-in-out infinite; }
  }
  @keyframes pulse { 50% { opacity: 0.35; } }

  /* One accent colour per task state, BullMQ names first; unknown states stay neutral. */
  .state-waiting { --state-color: var(--vscode-charts-yellow, #cca700); }
  .state-active { --state-color: var(--vscode-charts-blue, #3794ff); }
  .state-delayed { --state-color: var(--vscode-charts-orange, #d18616); }
  .state-prioritized { --state-color: var(--vscode-charts-purple, #b180d7); }
  .state-waiting-children { --state-color: var(--vscode-charts-purple, #b180d7); }
  .state-paused { --state-color: var(--vscode-disabledForeground, #888888); }
  .state-completed { --state-color: var(--vscode-testing-iconPassed, #73c991); }
  .state-failed { --state-color: var(--vscode-testing-iconFailed, #f14c4c); }
  .state-other { --state-color: var(--vscode-charts-lines, #888888); }

  .notice {
    display: flex; gap: 8px; align-items: flex-start;
    padding: 6px 10px; border-radius: 2px;
    border: 1px solid var(--vscode-inputValidation-warningBorder, var(--vscode-editorWarning-foreground));
    background: var(--vscode-inputValidation-warningBackground, transparent);
  }

  @media (forced-colors: active) {
    .dot { forced-color-adjust: none; }
  }
`;

const STATES_WITH_COLOUR = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'paused', 'completed', 'failed']);

/** CSS class for a task state's accent colour. State names come from sources, so only known ones map to a class. */
export function stateClass(state: string): string {
  return STATES_WITH_COLOUR.has(state) ? `state-${state}` : 'state-other';
}

const HEALTH_STATES = new Set(['idle', 'connecting', 'connected', 'reconnecting', 'disconnected', 'stopped']);

/** CSS class for a connection state's dot colour. */
export function healthClass(state: string): string {
  return HEALTH_STATES.has(state) ? `health-${state}` : 'health-idle';
}
