// The topic browser's model (MQTT Explorer-like): a trie of topics seen on a connection, each with its last
// value (a truncated preview), message count and rate, and a raw history capped in bytes. Bounded: at most
// `maxTopics` topics are tracked (later ones are counted, not stored) and every history shares a byte budget.
import type { PayloadPreview } from '../util/payload-preview';
import { TopicHistory, type TopicMessage } from './topic-history';

export interface TopicBrowserOptions {
  /** History kept per topic, in bytes of payload preview. */
  readonly historyBytesPerTopic: number;
  /** All histories together; past it, topics keep only their last value until old history is trimmed. */
  readonly historyBytesTotal: number;
  readonly maxTopics: number;
  /** Window over which the message rate is computed. */
  readonly rateWindowMs: number;
}

export const DEFAULT_TOPIC_BROWSER_OPTIONS: TopicBrowserOptions = {
  historyBytesPerTopic: 16 * 1024,
  historyBytesTotal: 32 * 1024 * 1024,
  maxTopics: 10_000,
  rateWindowMs: 10_000,
};

export type { TopicMessage } from './topic-history';

export interface TopicStats {
  readonly topic: string;
  readonly count: number;
  readonly last?: TopicMessage;
  readonly ratePerSecond: number;
  readonly historySize: number;
  readonly historyBytes: number;
}

export interface TopicEntry {
  /** Last path segment. */
  readonly name: string;
  /** Full topic up to here. */
  readonly path: string;
  readonly hasChildren: boolean;
  /** Set when a message arrived on exactly this topic. */
  readonly stats?: TopicStats;
  /** Topics with messages at or below this path. */
  readonly topicCount: number;
}

const BUCKETS = 10;

/**
 * One topic's counters, last value and history. Per message this is a few field writes and a ring push, no
 * allocation: the last value is kept as fields and turned into a `TopicMessage` only when read, and the rate is
 * summed from per-bucket counters at read time.
 */
class TopicData {
  count = 0;
  lastAt = 0;
  lastText = '';
  lastBytes = 0;
  lastTruncated = false;
  readonly history: TopicHistory;
  // A plain array, not a Float64Array: a typed array over 64 bytes gets an off-heap backing store, which costs
  // ~10× a small array to allocate and has to be swept; every new topic made one.
  private readonly buckets: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  /** Index (time / bucketMs) of the newest bucket; -1 before the first message. */
  private bucket = -1;

  constructor(historyBytes: number, private readonly bucketMs: number) {
    this.history = new TopicHistory(historyBytes);
  }

  hit(at: number): void {
    const b = Math.floor(at / this.bucketMs);
    if (b > this.bucket) this.advance(b);
    // A clock that stepped back counts in the newest bucket rather than in one already rolled over.
    const slot = this.bucket % BUCKETS;
    this.buckets[slot] = (this.buckets[slot] as number) + 1;
    this.count++;
  }

  get last(): TopicMessage | undefined {
    return this.count === 0 ? undefined : { at: this.lastAt, text: this.lastText, bytes: this.lastBytes, truncated: this.lastTruncated };
  }

  rate(now: number): number {
    const b = Math.floor(now / this.bucketMs);
    if (b > this.bucket) this.advance(b);
    let sum = 0;
    for (let i = 0; i < BUCKETS; i++) sum += this.buckets[i] as number;
    return sum / ((this.bucketMs * BUCKETS) / 1000);
  }

  /** Zeroes the buckets between the newest one and `b` (at most all of them). */
  private advance(b: number): void {
    if (this.bucket >= 0) {
      const steps = Math.min(BUCKETS, b - this.bucket);
      for (let i = 1; i <= steps; i++) this.buckets[(this.bucket + i) % BUCKETS] = 0;
    }
    this.bucket = b;
  }
}

interface TrieNode {
  readonly name: string;
  readonly path: string;
  /** Created with the first child: most nodes are leaves (one per topic), and a Map each was most of an insert. */
  children: Map<string, TrieNode> | undefined;
  data?: TopicData;
  topicCount: number;
}

export class TopicBrowser {
  private readonly root: TrieNode = { name: '', path: '', children: undefined, data: undefined, topicCount: 0 };
  private readonly byTopic = new Map<string, TrieNode>();
  private readonly options: TopicBrowserOptions;
  private historyBytes = 0;
  private refusedTopics = 0;
  private messages = 0;
  /** Bumped on every change; the tree compares it to decide whether to refresh. */
  version = 0;

  constructor(options: Partial<TopicBrowserOptions> = {}) {
    this.options = { ...DEFAULT_TOPIC_BROWSER_OPTIONS, ...options };
  }

  get topicCount(): number { return this.byTopic.size; }
  /** Topics not tracked because `maxTopics` was reached (their messages are still processed). */
  get topicsRefused(): number { return this.refusedTopics; }
  get messageCount(): number { return this.messages; }
  get totalHistoryBytes(): number { return this.historyBytes; }

  record(topic: string, preview: PayloadPreview, at: number): void {
    this.recordText(topic, preview.text, preview.bytes, preview.truncated, at);
  }

  /** `record` without a preview object: the MQTT sources call this for every message. */
  recordText(topic: string, text: string, bytes: number, truncated: boolean, at: number): void {
    this.messages++;
    let node = this.byTopic.get(topic);
    if (!node) {
      if (this.byTopic.size >= this.options.maxTopics) {
        this.refusedTopics++;
        return;
      }
      node = this.insert(topic);
    }
    const data = (node.data ??= new TopicData(this.options.historyBytesPerTopic, this.options.rateWindowMs / BUCKETS));
    data.hit(at);
    data.lastAt = at;
    data.lastText = text;
    data.lastBytes = bytes;
    data.lastTruncated = truncated;
    const history = data.history;
    const before = history.byteSize;
    // Over the shared budget, a topic keeps at most its newest message in history.
    if (this.historyBytes >= this.options.historyBytesTotal) {
      while (history.size > 0) history.dropOldest();
    }
    history.push(at, text, bytes, truncated);
    this.historyBytes += history.byteSize - before;
    this.version++;
  }

  /** Children of `path` ('' = the roots), sorted by name. */
  children(path: string, now: number): TopicEntry[] {
    const node = path === '' ? this.root : this.findNode(path);
    if (!node) return [];
    if (!node.children) return [];
    return [...node.children.values()].sort((a, b) => a.name.localeCompare(b.name)).map((n) => this.entry(n, now));
  }

  entry(pathOrNode: string | TrieNode, now: number): TopicEntry {
    const n = typeof pathOrNode === 'string' ? this.findNode(pathOrNode) : pathOrNode;
    if (!n) return { name: String(pathOrNode), path: String(pathOrNode), hasChildren: false, topicCount: 0 };
    return { name: n.name, path: n.path, hasChildren: (n.children?.size ?? 0) > 0, topicCount: n.topicCount, stats: n.data ? this.statsOf(n.path, n.data, now) : undefined };
  }

  stats(topic: string, now: number): TopicStats | undefined {
    const data = this.byTopic.get(topic)?.data;
    return data ? this.statsOf(topic, data, now) : undefined;
  }

  /** Newest first. */
  history(topic: string, limit = 100): TopicMessage[] {
    return this.byTopic.get(topic)?.data?.history.newest(limit) ?? [];
  }

  clear(): void {
    this.root.children?.clear();
    this.root.topicCount = 0;
    this.byTopic.clear();
    this.historyBytes = 0;
    this.version++;
  }

  private statsOf(topic: string, d: TopicData, now: number): TopicStats {
    return { topic, count: d.count, last: d.last, ratePerSecond: d.rate(now), historySize: d.history.size, historyBytes: d.history.byteSize };
  }

  private findNode(path: string): TrieNode | undefined {
    const exact = this.byTopic.get(path);
    if (exact) return exact;
    let node: TrieNode | undefined = this.root;
    for (const segment of path.split('/')) {
      node = node.children?.get(segment);
      if (!node) return undefined;
    }
    return node;
  }

  private insert(topic: string): TrieNode {
    let node = this.root;
    node.topicCount++;
    const segments = topic.split('/');
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i] ?? '';
      const children = (node.children ??= new Map());
      let child = children.get(segment);
      if (!child) {
        child = { name: segment, path: i === 0 ? segment : `${node.path}/${segment}`, children: undefined, data: undefined, topicCount: 0 };
        children.set(segment, child);
      }
      child.topicCount++;
      node = child;
    }
    this.byTopic.set(topic, node);
    return node;
  }
}
