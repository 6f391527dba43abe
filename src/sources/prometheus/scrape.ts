// Prometheus `/metrics` over http(s): scraped on an interval only while something shows it. Counters become
// per-second rates, gauges stay, histograms give p50/p90/p99, summaries keep their quantiles. Rustvello's
// series also map onto the model: `rustvello_queue_depth` (and the documented `rustvello_broker_queue_depth`)
// → queues, `rustvello_tasks_*_total` → per-task queues with counts, `rustvello_workers_active` → workers.
// Every other series is kept as metric samples.
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { ConnectionProfile } from '../../core/config/connection-profile';
import type { MonitorEvent } from '../../core/model/events';
import type { ActionDeclaration, ActionProgress, ActionResult, ActionTarget, Source, SourceContext } from '../../core/source/source';
import { CounterRates, histogramQuantile, histogramSeries, labelKey, parsePrometheusText, type PromFamily } from '../../core/prometheus/text-format';

const DEFAULT_INTERVAL_MS = 15_000;
const TIMEOUT_MS = 10_000;
/** A `/metrics` body larger than this is refused (bounded memory). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;
const QUANTILES = [0.5, 0.9, 0.99] as const;
const TASK_COUNTER_RE = /^rustvello_tasks_([a-z_]+)_total$/;

export class PrometheusSource implements Source {
  private ctx: SourceContext | undefined;
  private onLost: ((e: Error) => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private visible = false;
  private scraping = false;
  private readonly rates = new CounterRates();
  private readonly interval: number;
  private readonly agent: Agent | undefined;
  private workers = new Set<string>();
  private readonly taskCounts = new Map<string, Record<string, number>>();
  /** Scrapes done; read by tests. */
  scrapes = 0;

  constructor(readonly profile: ConnectionProfile) {
    this.interval = profile.pollIntervalMs ?? DEFAULT_INTERVAL_MS;
    if (profile.url.startsWith('https:') && (profile.tls?.caFile || profile.tls?.rejectUnauthorized === false)) {
      this.agent = new Agent({ ca: profile.tls.caFile ? readFileSync(profile.tls.caFile) : undefined, rejectUnauthorized: profile.tls.rejectUnauthorized ?? true });
    }
  }

  async connect(ctx: SourceContext, onLost: (error: Error) => void): Promise<void> {
    this.ctx = ctx;
    this.onLost = onLost;
    await this.scrape();
    this.schedule();
  }

  async disconnect(): Promise<void> {
    this.clear();
    this.ctx = undefined;
    this.onLost = undefined;
  }

  setVisible(visible: boolean): void {
    const was = this.visible;
    this.visible = visible;
    if (visible && !was && this.ctx) void this.scrapeOrLose();
    if (visible) this.schedule(); else this.clear();
  }

  async refresh(): Promise<void> { if (this.ctx) await this.scrape(); }

  actions(): readonly ActionDeclaration[] {
    return [{ id: 'refresh', title: 'Scrape Now', targets: ['connection'], destructive: false, allowedReadOnly: true }];
  }

  async runAction(actionId: string, _t: ActionTarget, _p: ActionProgress): Promise<ActionResult> {
    if (actionId !== 'refresh') return { ok: false, affected: 0, message: `Prometheus has no action "${actionId}"` };
    await this.refresh();
    return { ok: true, affected: 1, message: 'Scraped' };
  }

  private schedule(): void {
    if (!this.visible || this.timer || !this.ctx) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.scrapeOrLose().finally(() => this.schedule());
    }, this.interval);
    this.timer.unref?.();
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async scrapeOrLose(): Promise<void> {
    if (this.scraping) return;
    try {
      await this.scrape();
    } catch (error) {
      this.onLost?.(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private async scrape(): Promise<void> {
    this.scraping = true;
    try {
      const body = await fetchText(this.profile, this.agent);
      const ctx = this.ctx;
      if (!ctx) return;
      this.scrapes++;
      this.ingest(body, ctx);
    } finally {
      this.scraping = false;
    }
  }

  /** Parses one exposition and emits its events; exposed for tests and the fuzzer. */
  ingest(body: string, ctx: SourceContext): void {
    const now = ctx.now();
    const { families, errors } = parsePrometheusText(body);
    for (const e of errors) ctx.reject('prometheus-line', `line ${e.line}: ${e.message}`);
    const seenWorkers = new Set<string>();
    const touchedTasks = new Set<string>();
    for (const f of families) {
      for (const ev of this.familyEvents(f, now, seenWorkers, touchedTasks)) ctx.emit(ev);
    }
    for (const task of touchedTasks) {
      ctx.emit({ type: 'queue.upsert', queue: { connectionId: this.profile.id, system: this.profile.system, name: task, counts: { ...this.taskCounts.get(task) }, updatedAt: now } });
    }
    for (const id of this.workers) {
      if (!seenWorkers.has(id)) ctx.emit({ type: 'worker.upsert', worker: { connectionId: this.profile.id, system: this.profile.system, id, status: 'offline', updatedAt: now } });
    }
    this.workers = new Set([...this.workers, ...seenWorkers]);
  }

  private *familyEvents(f: PromFamily, now: number, seenWorkers: Set<string>, touchedTasks: Set<string>): Generator<MonitorEvent> {
    const conn = this.profile.id;
    const system = this.profile.system;
    const sample = (name: string, labels: Readonly<Record<string, string>>, value: number, at = now): MonitorEvent =>
      ({ type: 'metric', sample: { connectionId: conn, system, name, labels, timestamp: at, value } });
    switch (f.type) {
      case 'counter': {
        const taskCounter = TASK_COUNTER_RE.exec(f.name);
        for (const s of f.samples) {
          if (!s.name.endsWith('_created')) {
            const rate = this.rates.update(`${s.name}{${labelKey(s.labels)}}`, s.value, s.timestamp ?? now);
            if (rate !== undefined) yield sample(`${s.name}:rate`, s.labels, rate, s.timestamp ?? now);
            if (taskCounter && s.labels['task_id'] !== undefined && Number.isFinite(s.value)) {
              const task = s.labels['task_id'];
              const counts = this.taskCounts.get(task) ?? {};
              counts[taskCounter[1] ?? 'total'] = s.value;
              if (!this.taskCounts.has(task) && this.taskCounts.size >= 5_000) continue;
              this.taskCounts.set(task, counts);
              touchedTasks.add(task);
            }
          }
        }
        return;
      }
      case 'histogram': {
        for (const h of histogramSeries(f)) {
          for (const q of QUANTILES) {
            const v = histogramQuantile(q, h.buckets);
            if (Number.isFinite(v)) yield sample(`${f.name}:p${Math.round(q * 100)}`, h.labels, v);
          }
          if (h.count !== undefined) {
            const rate = this.rates.update(`${f.name}_count{${labelKey(h.labels)}}`, h.count, now);
            if (rate !== undefined) yield sample(`${f.name}_count:rate`, h.labels, rate);
          }
        }
        return;
      }
      case 'summary': {
        for (const s of f.samples) {
          if (s.labels['quantile'] !== undefined && Number.isFinite(s.value)) yield sample(f.name, s.labels, s.value, s.timestamp ?? now);
        }
        return;
      }
      default: {
        for (const s of f.samples) {
          if (!Number.isFinite(s.value)) continue;
          if (s.name === 'rustvello_queue_depth' || s.name === 'rustvello_broker_queue_depth') {
            const name = s.labels['queue'] ?? 'default';
            yield { type: 'queue.upsert', queue: { connectionId: conn, system, name, counts: { pending: s.value }, updatedAt: now } };
          } else if (s.name === 'rustvello_workers_active' && s.labels['runner_id'] !== undefined) {
            const id = s.labels['runner_id'];
            seenWorkers.add(id);
            yield {
              type: 'worker.upsert',
              worker: { connectionId: conn, system, id, status: s.value > 0 ? 'busy' : 'idle', lastSeen: now, detail: `${s.value} worker${s.value === 1 ? '' : 's'} active`, updatedAt: now },
            };
          }
          yield sample(s.name, s.labels, s.value, s.timestamp ?? now);
        }
      }
    }
  }
}

function fetchText(profile: ConnectionProfile, agent: Agent | undefined): Promise<string> {
  const url = new URL(profile.url);
  const headers: Record<string, string> = { Accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1' };
  const username = profile.username ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const password = profile.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
  if (profile.token) headers['Authorization'] = `Bearer ${profile.token}`;
  else if (username !== undefined) headers['Authorization'] = `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
  url.username = '';
  url.password = '';
  const get = url.protocol === 'https:' ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const req = get(url, { headers, timeout: TIMEOUT_MS, ...(agent ? { agent } : {}) }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET ${url.pathname} answered HTTP ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          req.destroy(new Error(`/metrics body larger than ${MAX_BODY_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.host} within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
  });
}
