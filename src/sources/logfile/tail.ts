// Log files: tails a file or glob (NDJSON or text, per line) into the store's logs. Rotation (the path now
// names another inode: the old file is read to its end first) and truncation (size below the read offset:
// start again at 0) are handled; reads are bounded per tick, long lines cut, and only the last
// `initialBytes` of existing content are read unless the profile says `logFromStart`.
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { ConnectionProfile } from '../../core/config/connection-profile';
import { readStreamOptions, type StreamOptions } from '../../core/config/stream-options';
import { parseLogLine } from '../../core/logs/log-line';
import type { ActionDeclaration, ActionProgress, ActionResult, ActionTarget, Source, SourceContext } from '../../core/source/source';
import { expandGlob, hasGlob, resolvePattern } from './file-glob';

export interface LogTailOptions {
  readonly pollMs: number;
  /** Bytes read per file per tick at most; the rest follows on the next ticks. */
  readonly maxReadBytes: number;
  /** Existing content read on start (from the end), unless `logFromStart`. */
  readonly initialBytes: number;
  readonly maxLineBytes: number;
  readonly maxFiles: number;
  /** Glob re-expanded at most this often. */
  readonly globEveryMs: number;
}

const DEFAULTS: LogTailOptions = { pollMs: 500, maxReadBytes: 1024 * 1024, initialBytes: 256 * 1024, maxLineBytes: 64 * 1024, maxFiles: 64, globEveryMs: 2_000 };

interface TailedFile {
  path: string;
  handle: FileHandle;
  ino: number;
  offset: number;
  partial: string;
  /** Drop everything up to the first newline (we started reading mid-file). */
  skipFirst: boolean;
  /** The last bytes read; if they changed, the file was truncated and rewritten past our offset. */
  signature: Buffer;
}

const SIGNATURE_BYTES = 64;

export class LogFileSource implements Source {
  private readonly options: LogTailOptions;
  private readonly opts: StreamOptions;
  private ctx: SourceContext | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly files = new Map<string, TailedFile>();
  /** Where reading stopped in files rotated away (by inode), so a glob matching `app.log.1` does not re-read them. */
  private readonly rotatedOffsets = new Map<number, number>();
  private paths: string[] = [];
  private lastGlob = 0;
  private ticking = false;
  private first = true;
  /** Lines emitted; read by tests. */
  linesRead = 0;

  constructor(readonly profile: ConnectionProfile, options: Partial<LogTailOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.opts = readStreamOptions(profile.options);
  }

  get pattern(): string { return resolvePattern(this.profile.url, this.opts.baseDir ?? process.cwd()); }

  async connect(ctx: SourceContext, _onLost: (error: Error) => void): Promise<void> {
    this.ctx = ctx;
    this.first = true;
    this.lastGlob = 0;
    await this.tick();
    if (this.files.size === 0) ctx.log.info(`[${this.profile.id}] no log file matches ${this.pattern} yet; watching for one`);
    this.timer = setInterval(() => void this.tick(), this.options.pollMs);
    this.timer.unref?.();
  }

  async disconnect(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.ctx = undefined;
    const files = [...this.files.values()];
    this.files.clear();
    await Promise.all(files.map((f) => f.handle.close().catch(() => undefined)));
  }

  setVisible(_visible: boolean): void { /* logs are collected while connected so searches see them */ }
  async refresh(): Promise<void> { await this.tick(); }
  actions(): readonly ActionDeclaration[] { return []; }
  async runAction(actionId: string, _t: ActionTarget, _p: ActionProgress): Promise<ActionResult> {
    return { ok: false, affected: 0, message: `log files have no action "${actionId}"` };
  }

  /** One polling round: re-expand the glob when due, then read what is new in every file. */
  async tick(): Promise<void> {
    if (this.ticking || !this.ctx) return;
    this.ticking = true;
    try {
      const now = Date.now();
      if (now - this.lastGlob >= this.options.globEveryMs || !hasGlob(this.pattern)) {
        this.lastGlob = now;
        this.paths = (await expandGlob(this.pattern)).slice(0, this.options.maxFiles);
      }
      for (const path of this.paths) await this.readFile(path);
      for (const [path, f] of this.files) {
        if (!this.paths.includes(path)) { this.files.delete(path); await f.handle.close().catch(() => undefined); }
      }
      this.first = false;
    } finally {
      this.ticking = false;
    }
  }

  private async readFile(path: string): Promise<void> {
    let st;
    try {
      st = await stat(path);
    } catch {
      return; // between rotation steps, or not created yet
    }
    if (!st.isFile()) return;
    let f = this.files.get(path);
    if (f && f.ino !== st.ino) {
      // Rotated: finish the old inode (lines written just before the rename), then follow the new file.
      await this.drain(f, Number.MAX_SAFE_INTEGER);
      this.flushPartial(f);
      this.rememberRotated(f.ino, f.offset);
      await f.handle.close().catch(() => undefined);
      this.files.delete(path);
      f = undefined;
    }
    if (!f) {
      let handle: FileHandle;
      try {
        handle = await open(path, 'r');
      } catch (e) {
        this.ctx?.log.warn(`[${this.profile.id}] cannot open ${path}: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
      const fromStart = !this.first || this.opts.logFromStart === true;
      const rotated = this.rotatedOffsets.get(st.ino) ?? this.trackedOffset(st.ino);
      const offset = rotated ?? (fromStart ? 0 : Math.max(0, st.size - this.options.initialBytes));
      f = { path, handle, ino: st.ino, offset, partial: '', skipFirst: rotated === undefined && offset > 0, signature: Buffer.alloc(0) };
      this.files.set(path, f);
    }
    if (st.size < f.offset || !(await this.signatureHolds(f))) {
      // Truncated in place (copytruncate or `> file`), maybe already rewritten past our offset: start over.
      f.offset = 0;
      f.partial = '';
      f.skipFirst = false;
      f.signature = Buffer.alloc(0);
    }
    await this.drain(f, this.options.maxReadBytes);
  }

  private rememberRotated(ino: number, offset: number): void {
    this.rotatedOffsets.set(ino, offset);
    if (this.rotatedOffsets.size > 256) this.rotatedOffsets.delete(this.rotatedOffsets.keys().next().value as number);
  }

  /** A file already tailed under another path (renamed while we read it). */
  private trackedOffset(ino: number): number | undefined {
    for (const f of this.files.values()) if (f.ino === ino) return f.offset;
    return undefined;
  }

  private async signatureHolds(f: TailedFile): Promise<boolean> {
    const n = f.signature.length;
    if (n === 0) return true;
    const now = Buffer.alloc(n);
    const { bytesRead } = await f.handle.read(now, 0, n, f.offset - n);
    return bytesRead === n && now.equals(f.signature);
  }

  /** Reads up to `budget` new bytes of `f` and emits the complete lines. */
  private async drain(f: TailedFile, budget: number): Promise<void> {
    const chunk = Buffer.allocUnsafe(64 * 1024);
    let left = budget;
    while (left > 0) {
      const { bytesRead } = await f.handle.read(chunk, 0, Math.min(chunk.length, left), f.offset);
      if (bytesRead === 0) break;
      f.offset += bytesRead;
      left -= bytesRead;
      const keep = Math.min(SIGNATURE_BYTES, bytesRead);
      f.signature = Buffer.concat([f.signature, chunk.subarray(bytesRead - keep, bytesRead)]).subarray(-SIGNATURE_BYTES);
      this.consume(f, chunk.toString('utf8', 0, bytesRead));
    }
  }

  private consume(f: TailedFile, text: string): void {
    let data = f.partial + text;
    let start = 0;
    for (;;) {
      const nl = data.indexOf('\n', start);
      if (nl < 0) break;
      const line = data.slice(start, nl);
      start = nl + 1;
      if (f.skipFirst) { f.skipFirst = false; continue; }
      this.emitLine(line);
    }
    data = data.slice(start);
    if (data.length > this.options.maxLineBytes) {
      // A line longer than the cap: keep its beginning, flagged, and drop the rest up to its newline.
      this.emitLine(`${data.slice(0, this.options.maxLineBytes)} [truncated line]`);
      data = '';
    }
    f.partial = data;
  }

  private flushPartial(f: TailedFile): void {
    if (f.partial.length > 0 && !f.skipFirst) this.emitLine(f.partial);
    f.partial = '';
  }

  /** Parses and emits one line; exposed for the fuzzer. */
  emitLine(raw: string): void {
    const ctx = this.ctx;
    if (!ctx) return;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const now = ctx.now();
    const format = this.opts.logFormat ?? 'auto';
    const trimmed = line.trim();
    if (trimmed.length === 0) return;
    if (format === 'ndjson' && !trimmed.startsWith('{')) {
      ctx.reject('logfile-ndjson', `not a JSON line: ${trimmed.slice(0, 120)}`);
      return;
    }
    const parsed = parseLogLine(line, now, format !== 'text');
    if (!parsed) return;
    if (format === 'ndjson' && parsed.format !== 'json') {
      ctx.reject('logfile-ndjson', `not a log JSON object: ${trimmed.slice(0, 120)}`);
      return;
    }
    this.linesRead++;
    ctx.emit({
      type: 'log',
      record: {
        connectionId: this.profile.id, system: this.profile.system, timestamp: parsed.timestamp, level: parsed.level,
        message: parsed.message, runner: parsed.runner, worker: parsed.worker, invocation: parsed.invocation, task: parsed.task,
      },
    });
  }
}
