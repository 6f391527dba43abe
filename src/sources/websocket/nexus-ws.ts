// Nexus Agents over WebSocket: `/ws/monitor` with the profile's `project_id`, `task_id`, `types` and
// `stats_only`; the snapshot frame on connect; the server's `{"type":"ping"}` and our `ping` → `{"type":"pong"}`
// keepalive; events de-duplicated by `event_id` (the server can deliver one event twice) in a bounded LRU.
// Parsing and mapping are the transport-independent `NexusEventMapper` (src/sources/nexus/), shared with the
// Redis pub/sub source.
import type { ConnectionProfile } from '../../core/config/connection-profile';
import type { SourceContext } from '../../core/source/source';
import type { DedupSet } from '../../core/util/dedup-set';
import { joinNexusDeployment, nexusDeploymentDedup, nexusDeploymentName, type NexusDeploymentMembership } from '../nexus/nexus-deployment';
import type { NexusEvent } from '../nexus/nexus-events';
import { NexusEventMapper } from '../nexus/nexus-mapper';
import { WebSocketSource } from './websocket-source';
import type WebSocket from 'ws';

/** How long connect waits for the snapshot before calling the connection established anyway. */
const SNAPSHOT_WAIT_MS = 1_000;
const STALE_CHECK_MS = 5_000;

export class NexusWsSource extends WebSocketSource {
  /** Survives reconnects: an event seen before a drop is still a duplicate after it; so do workers and phases. */
  private readonly mapper: NexusEventMapper;
  private readonly deploymentName: string | undefined;
  /** With the profile option `nexusDeployment`: shared de-dup and one owner of the entities (nexus-deployment.ts). */
  private deployment: NexusDeploymentMembership | undefined;
  private firstFrame: (() => void) | undefined;
  private framesThisConnection = 0;
  private staleTimer: ReturnType<typeof setInterval> | undefined;

  constructor(profile: ConnectionProfile) {
    super(profile, 'nexus');
    this.deploymentName = nexusDeploymentName(profile.options);
    this.mapper = new NexusEventMapper({
      connectionId: profile.id, system: 'nexus', now: () => this.ctx?.now() ?? Date.now(), dedupCapacity: 20_000,
      dedup: this.deploymentName === undefined ? undefined : nexusDeploymentDedup(this.deploymentName),
      // Frames are already capped by maxFrameBytes; queue rows come only from the stats events here.
      maxEventChars: Number.POSITIVE_INFINITY, queuesFromStats: true, previewChars: this.previewChars(),
    });
  }

  /** The event ids seen (and the repeats dropped). */
  get seen(): DedupSet { return this.mapper.dedup; }

  /** The profile URL, `/ws/monitor` when it has no path, and the filters as query parameters. */
  protected override url(): string {
    const url = new URL(this.profile.url);
    if (url.pathname === '' || url.pathname === '/') url.pathname = '/ws/monitor';
    const o = this.options;
    if (o.projectId) url.searchParams.set('project_id', o.projectId);
    if (o.taskId) url.searchParams.set('task_id', o.taskId);
    const types = o.types ?? o.eventTypes;
    if (types && types.length > 0) url.searchParams.set('types', types.join(','));
    if (o.statsOnly) url.searchParams.set('stats_only', 'true');
    return url.toString();
  }

  protected override async handshake(ctx: SourceContext): Promise<void> {
    // The snapshot usually arrives with the upgrade answer, before this runs; otherwise wait for it briefly.
    if (this.framesThisConnection === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { this.firstFrame = undefined; resolve(); }, SNAPSHOT_WAIT_MS);
        this.firstFrame = () => { clearTimeout(timer); this.firstFrame = undefined; resolve(); };
      });
    }
    this.staleTimer ??= setInterval(() => { for (const event of this.mapper.markStale(ctx.now())) this.push(event); }, STALE_CHECK_MS);
    this.staleTimer.unref?.();
  }

  /** The server answers the literal text `ping` with `{"type":"pong"}`. */
  protected override sendKeepalive(socket: WebSocket): void { socket.send('ping'); }

  protected override onText(text: string, ctx: SourceContext): void {
    this.framesThisConnection++;
    this.firstFrame?.();
    const parsed = this.mapper.parse(text);
    if (parsed.kind === 'invalid') ctx.reject(parsed.reject, parsed.problem);
    else if (parsed.kind === 'event' && !this.deployment?.route(parsed.event, text)) this.deliver(parsed.event, text);
    // duplicate: dropped; control (ping / pong): activity already noted
  }

  override async connect(ctx: SourceContext, onLost: (error: Error) => void): Promise<void> {
    this.framesThisConnection = 0;
    if (this.deploymentName !== undefined) {
      this.deployment?.leave();
      this.deployment = joinNexusDeployment(this.deploymentName, { connectionId: this.profile.id, rank: 1, deliver: (e, text) => this.deliver(e, text) });
    }
    await super.connect(ctx, onLost);
  }

  private deliver(event: NexusEvent, text: string | undefined): void {
    this.mapper.accept(event, text, this.sink());
  }

  override async disconnect(): Promise<void> {
    this.deployment?.leave();
    this.deployment = undefined;
    if (this.staleTimer) clearInterval(this.staleTimer);
    this.staleTimer = undefined;
    this.firstFrame?.();
    await super.disconnect();
  }
}
