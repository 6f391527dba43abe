// One monitoring session: the store plus a supervised source per connection profile. Shared by the
// extension and the CLI. Sources start only when asked (the extension asks when a view becomes visible).
import type { ConnectionProfile } from '../core/config/connection-profile';
import type { MonitorEvent } from '../core/model/events';
import type { TaskDetail } from '../core/model/task-detail';
import { MonitorStore, type RetentionLimits } from '../core/store/monitor-store';
import { MutableChangeSet, type ChangeSet } from '../core/store/change-set';
import type { ActionDeclaration, ActionProgress, ActionResult, ActionTarget, SourceLogger } from '../core/source/source';
import type { SchedulerList, TaskLogPage, TaskLogRequest, TaskPage, TaskPageRequest, TaskSearchHit, TaskSearchRequest, TaskSearchSummary } from '../core/source/task-query';
import { taskKey } from '../core/model/keys';
import { listsTasksFromStore, storeTaskPage } from '../core/views/task-list';
import { createSource as defaultCreateSource, type SourceFactory } from './create-source';
import { SourceSupervisor, type SupervisorOptions } from './source-supervisor';

export interface MonitorSessionOptions {
  readonly log: SourceLogger;
  readonly retention?: RetentionLimits;
  readonly createSource?: SourceFactory;
  readonly supervisor?: SupervisorOptions;
  readonly now?: () => number;
}

type Listener<T> = (value: T) => void;

export class MonitorSession {
  readonly store: MonitorStore;
  private readonly supervisors = new Map<string, SourceSupervisor>();
  private readonly profiles = new Map<string, ConnectionProfile>();
  private readonly changeListeners = new Set<Listener<ChangeSet>>();
  private readonly eventListeners = new Set<Listener<MonitorEvent>>();
  private pending: MutableChangeSet | undefined;
  private flushScheduled = false;
  private visible = false;
  private started = false;
  private readonly now: () => number;
  private readonly createSource: SourceFactory;

  constructor(private readonly options: MonitorSessionOptions) {
    this.store = new MonitorStore(options.retention);
    this.now = options.now ?? Date.now;
    this.createSource = options.createSource ?? defaultCreateSource;
  }

  /** Replaces the set of profiles: new ones are added, removed ones stopped, changed ones restarted. */
  async setProfiles(next: readonly ConnectionProfile[]): Promise<void> {
    const nextById = new Map(next.filter((p) => p.enabled).map((p) => [p.id, p]));
    const stops: Promise<void>[] = [];
    for (const [id, old] of this.profiles) {
      const replacement = nextById.get(id);
      if (!replacement || JSON.stringify(replacement) !== JSON.stringify(old)) stops.push(this.remove(id));
    }
    await Promise.all(stops);
    for (const [id, profile] of nextById) {
      if (this.profiles.has(id)) continue;
      this.add(profile);
    }
  }

  profile(id: string): ConnectionProfile | undefined { return this.profiles.get(id); }
  allProfiles(): ConnectionProfile[] { return [...this.profiles.values()]; }
  supervisor(id: string): SourceSupervisor | undefined { return this.supervisors.get(id); }

  /** Connects every profile (idempotent). Until then nothing touches the network. */
  startAll(): void {
    this.started = true;
    for (const s of this.supervisors.values()) if (s.phase === 'idle') s.start();
  }

  get isStarted(): boolean { return this.started; }

  setVisible(visible: boolean): void {
    this.visible = visible;
    for (const s of this.supervisors.values()) s.setVisible(visible);
  }

  reconnect(id: string): void { this.supervisors.get(id)?.reconnectNow(); }

  /** New retention bounds, in force at once (MonitorStore.setLimits); views hear of what was dropped. */
  setRetention(limits: RetentionLimits): void {
    this.store.setLimits(limits, (this.pending ??= new MutableChangeSet()));
    this.scheduleFlush();
  }

  async refresh(id?: string): Promise<void> {
    const targets = id ? [this.supervisors.get(id)].filter((s) => s !== undefined) : [...this.supervisors.values()];
    await Promise.all(targets.map((s) => (s.phase === 'connected' ? s.source.refresh() : Promise.resolve())));
  }

  async runAction(connectionId: string, actionId: string, target: ActionTarget, progress: ActionProgress): Promise<ActionResult> {
    const s = this.supervisors.get(connectionId);
    if (!s) return { ok: false, affected: 0, message: `No connection "${connectionId}"` };
    return s.source.runAction(actionId, target, progress);
  }

  /** Actions a connection's source declares (empty when it is unknown). */
  actions(connectionId: string): readonly ActionDeclaration[] {
    return this.supervisors.get(connectionId)?.source.actions() ?? [];
  }

  /** The full record of one task, or undefined when the source cannot read tasks or the task is gone. */
  async taskDetail(connectionId: string, ref: { readonly queue?: string; readonly id: string }, maxValueBytes: number): Promise<TaskDetail | undefined> {
    const s = this.supervisors.get(connectionId);
    if (s?.source.taskDetail && s.phase === 'connected') return s.source.taskDetail(ref, maxValueBytes);
    // A source that cannot read single tasks still sent the task itself: show what the store holds.
    if (s && !s.source.taskDetail) {
      const task = this.store.task(taskKey(connectionId, ref.queue, ref.id));
      if (task) return { task, values: {} };
    }
    return undefined;
  }

  /**
   * One page of a state's tasks, or undefined when the source cannot list tasks or is not connected. Push
   * sources (Propeller) have sent their tasks already: those pages come from the store, connected or not.
   */
  async taskPage(connectionId: string, request: TaskPageRequest): Promise<TaskPage | undefined> {
    const s = this.supervisors.get(connectionId);
    if (!s?.source.taskPage && listsTasksFromStore(this.profiles.get(connectionId)?.system)) return storeTaskPage(this.store, connectionId, request);
    if (!s?.source.taskPage || s.phase !== 'connected') return undefined;
    return s.source.taskPage(request);
  }

  /** One page of a task's log lines, or undefined when the source cannot read them or is not connected. */
  async taskLogs(connectionId: string, request: TaskLogRequest): Promise<TaskLogPage | undefined> {
    const s = this.supervisors.get(connectionId);
    if (!s?.source.taskLogs || s.phase !== 'connected') return undefined;
    return s.source.taskLogs(request);
  }

  /** A queue's job schedulers, or undefined when the source has none to list or is not connected. */
  async schedulers(connectionId: string, queue: string): Promise<SchedulerList | undefined> {
    const s = this.supervisors.get(connectionId);
    if (!s?.source.schedulers || s.phase !== 'connected') return undefined;
    return s.source.schedulers(queue);
  }

  /** Bounded task search on one connection; undefined when the source cannot search. */
  async searchTasks(connectionId: string, request: TaskSearchRequest, onHits: (hits: readonly TaskSearchHit[]) => void, signal: AbortSignal): Promise<TaskSearchSummary | undefined> {
    const s = this.supervisors.get(connectionId);
    if (!s?.source.searchTasks || s.phase !== 'connected') return undefined;
    return s.source.searchTasks(request, onHits, signal);
  }

  onDidChange(listener: Listener<ChangeSet>): { dispose(): void } {
    this.changeListeners.add(listener);
    return { dispose: () => this.changeListeners.delete(listener) };
  }

  /** Every normalized event as it arrives (the CLI's `events` command). */
  onEvent(listener: Listener<MonitorEvent>): { dispose(): void } {
    this.eventListeners.add(listener);
    return { dispose: () => this.eventListeners.delete(listener) };
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.supervisors.keys()].map((id) => this.remove(id)));
    this.changeListeners.clear();
    this.eventListeners.clear();
  }

  /**
   * Applies an event to the store and schedules one batched change notification per tick. The store writes
   * straight into the pending change set: no change set per event, nothing merged. `entityKey` comes from
   * sources that aggregate per tick and built it already.
   */
  readonly apply = (event: MonitorEvent, entityKey?: string): void => {
    this.store.applyInto(event, (this.pending ??= new MutableChangeSet()), entityKey);
    if (this.eventListeners.size > 0) for (const l of this.eventListeners) l(event);
    this.scheduleFlush();
  };

  private scheduleFlush(): void {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const change = this.pending;
    this.pending = undefined;
    if (!change) return;
    for (const l of this.changeListeners) l(change);
  };

  private add(profile: ConnectionProfile): void {
    this.profiles.set(profile.id, profile);
    this.apply({ type: 'connection.added', connectionId: profile.id, name: profile.name, kind: profile.kind, system: profile.system, readOnly: profile.readOnly, at: this.now() });
    const supervisor = new SourceSupervisor(this.createSource(profile), this.apply, this.options.log, this.options.supervisor);
    this.supervisors.set(profile.id, supervisor);
    supervisor.setVisible(this.visible);
    if (this.started) supervisor.start();
  }

  private async remove(id: string): Promise<void> {
    const s = this.supervisors.get(id);
    this.supervisors.delete(id);
    this.profiles.delete(id);
    if (s) await s.stop();
    this.apply({ type: 'connection.removed', connectionId: id, at: this.now() });
  }
}
