// Propeller over MQTT: subscribes to the manager and proplet topics under `m/<domain>/c/<channel>/` (both
// configurable, `+` allowed) plus the legacy `metrics/proplet`, and maps them with PropellerModel. "Stop task"
// publishes `control/manager/stop`, only on profiles with `allowPublish` that are not read-only.
import type { ConnectionProfile } from '../../core/config/connection-profile';
import type { ActionDeclaration, ActionProgress, ActionResult, ActionTarget } from '../../core/source/source';
import type { TaskDetail } from '../../core/model/task-detail';
import { MqttSourceBase, type MqttMessage, type MqttSourceOptions } from './mqtt-source-base';
import { PROPELLER_SUFFIXES, PropellerModel } from './propeller-model';

export const PROPELLER_ALIVE_TIMEOUT_MS = 10_000;
const LIVENESS_CHECK_MS = 1_000;

export class PropellerSource extends MqttSourceBase {
  /** Kept across reconnects: proplets and tasks stay known while the broker is away. */
  private readonly model: PropellerModel;
  private livenessTimer: ReturnType<typeof setInterval> | undefined;

  constructor(profile: ConnectionProfile, options: MqttSourceOptions = {}) {
    super(profile, options);
    this.model = new PropellerModel({ connectionId: this.profile.id, livenessTimeoutMs: this.opts.livenessTimeoutMs ?? PROPELLER_ALIVE_TIMEOUT_MS });
  }

  get base(): string { return `m/${this.opts.domain ?? '+'}/c/${this.opts.channel ?? '+'}`; }

  protected filters(): string[] { return PROPELLER_SUFFIXES.map((s) => `${this.base}/${s}`); }

  protected override onConnected(): void {
    this.livenessTimer = setInterval(() => {
      if (!this.ctx) return;
      // Through the same per-tick buffer as messages: a direct emit could be overtaken by an older pending state.
      for (const e of this.model.checkLiveness(this.ctx.now())) this.emitEntity(e);
    }, LIVENESS_CHECK_MS);
    this.livenessTimer.unref?.();
  }

  protected override onDisconnected(): void {
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    this.livenessTimer = undefined;
  }

  protected handle(message: MqttMessage, json: unknown): boolean {
    const ctx = this.ctx;
    if (!ctx) return true;
    const parts = PropellerModel.splitTopic(message.topic);
    if (!parts || !(PROPELLER_SUFFIXES as readonly string[]).includes(parts.suffix)) return false;
    if (json === undefined) {
      ctx.reject('propeller-json', `${message.topic}: not JSON (${message.bytes} bytes)`);
      return true;
    }
    const r = this.model.decode(message.topic, json, message.at);
    if (!r.ok) {
      ctx.reject(r.kind, `${message.topic}: ${r.detail}`);
      return true;
    }
    for (const e of r.events) this.emitEntity(e);
    return true;
  }

  /** Propeller has no task store to read from: this is what the messages seen so far said about the task. */
  async taskDetail(ref: { readonly queue?: string; readonly id: string }): Promise<TaskDetail | undefined> {
    return this.model.taskDetail(ref.id);
  }

  override actions(): readonly ActionDeclaration[] {
    const disabledReason = this.profile.readOnly
      ? 'This connection is read-only.'
      : !this.opts.allowPublish ? 'Publishing is off for this connection (set "allowPublish": true in its profile).' : undefined;
    return [{ id: 'stopTask', title: 'Stop Task', targets: ['task'], destructive: true, allowedReadOnly: false, ...(disabledReason ? { disabledReason } : {}) }];
  }

  override async runAction(actionId: string, target: ActionTarget, progress: ActionProgress): Promise<ActionResult> {
    if (actionId !== 'stopTask') return super.runAction(actionId, target, progress);
    const declared = this.actions()[0];
    if (declared?.disabledReason) return { ok: false, affected: 0, message: declared.disabledReason };
    const session = this.session;
    if (!session) return { ok: false, affected: 0, message: 'Not connected' };
    const ids = target.ids ?? [];
    let affected = 0;
    const problems: string[] = [];
    for (const taskId of ids) {
      if (progress.signal.aborted) break;
      const where = this.model.taskLocation(taskId) ?? (this.opts.domain && this.opts.channel && !this.opts.domain.includes('+') && !this.opts.channel.includes('+')
        ? { domain: this.opts.domain, channel: this.opts.channel, proplet: undefined } : undefined);
      if (!where) { problems.push(`${taskId}: not seen on any channel`); continue; }
      const payload = where.proplet ? { id: taskId, broadcast: false, proplet_id: where.proplet } : { id: taskId, broadcast: true };
      await session.publish(`m/${where.domain}/c/${where.channel}/control/manager/stop`, JSON.stringify(payload), this.opts.qos ?? 1);
      affected++;
      progress.report(affected, ids.length);
    }
    return {
      ok: problems.length === 0 && affected > 0,
      affected,
      message: `Stop sent for ${affected} task(s)${problems.length ? `; ${problems.join('; ')}` : ''}`,
    };
  }
}
