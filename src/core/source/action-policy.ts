// Whether a declared action may run here: the host calls this before every action, whatever the UI showed.
import type { ActionDeclaration, ActionTargetKind } from './source';

export interface ActionPolicyContext {
  /** The profile's `readOnly` or the global `taskscope.readOnly` setting. */
  readonly readOnly: boolean;
  /** Workspace trust: an untrusted workspace runs no action that changes a system. */
  readonly trusted: boolean;
}

/** The reason the action is refused, or undefined when it may run on `target`. */
export function actionRefusal(action: ActionDeclaration, target: ActionTargetKind, ctx: ActionPolicyContext): string | undefined {
  if (!action.targets.includes(target)) return `"${action.title}" does not apply to a ${target}`;
  if (action.disabledReason) return action.disabledReason;
  if (!action.allowedReadOnly && ctx.readOnly) return 'The connection is read-only';
  if (!action.allowedReadOnly && !ctx.trusted) return 'Restricted mode: trust this workspace to run actions that change a system';
  return undefined;
}
