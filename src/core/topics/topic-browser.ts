// The topic browser's model (MQTT Explorer-like): a trie of topics seen on a connection, each with its last
// value (a truncated preview), message count and rate, and a raw history capped in bytes. Bounded: at most
// `maxTopics` topics are tracked (later ones are counted, not stored) and every history shares a byte budget.
import { ByteRing } from '../store/byte-ring';
import type { PayloadPreview } from '../util/payload-preview';

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

export interface TopicMessage {
  readonly at: number;
  readonly text: string;
  readonly bytes: number;
  readonly truncated: boolean;
}

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

class TopicData {
  count = 0;
  last: TopicMessage | undefined;
  readonly history: ByteRing<TopicMessage>;
  private readonly buckets = new Array<number>(BUCKETS).fill(0);
  private bucketStart = 0;

  constructor(historyBytes: number, private readonly bucketMs: number) {
    this.history = new ByteRing(historyBytes, (m) => m.text.length * 2 + 48);
  }

  hit(at: number): void {
    this.roll(at);
    const idx = Math.floor(at / this.bucketMs) % BUCKETS;
    this.buckets[idx] = (this.buckets[idx] ?? 0) + 1;
    this.count++;
  }

  rate(now: number): number {
    this.roll(now);
    let sum = 0;
    for (const b of this.buckets) sum += b;
    return sum / ((this.bucketMs * BUCKETS) / 1000);
  }

  private roll(now: number): void {
    const current = Math.floor(now / this.bucketMs);
    if (this.bucketStart === 0) { this.bucketStart = current; return; }
    const steps = Math.min(BUCKETS, current - this.bucketStart);
    for (let i = 1; i <= steps; i++) this.buckets[(this.bucketStart + i) % BUCKETS] = 0;
    if (current > this.bucketStart) this.bucketStart = current;
  }
}

interface TrieNode {
  readonly name: string;
  readonly path: string;
  readonly children: Map<string, TrieNode>;
  data?: TopicData;
  topicCount: number;
}

export class TopicBrowser {
  private readonly root: TrieNode = { name: '', path: '', children: new Map(), topicCount: 0 };
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
    const message: TopicMessage = { at, text: preview.text, bytes: preview.bytes, truncated: preview.truncated };
    data.hit(at);
    data.last = message;
    const before = data.history.byteSize;
    // Over the shared budget, a topic keeps at most its newest message in history.
    if (this.historyBytes >= this.options.historyBytesTotal) {
      while (data.history.size > 0) data.history.dropOldest();
    }
    data.history.push(message);
    this.historyBytes += data.history.byteSize - before;
    this.version++;
  }

  /** Children of `path` ('' = the roots), sorted by name. */
  children(path: string, now: number): TopicEntry[] {
    const node = path === '' ? this.root : this.findNode(path);
    if (!node) return [];
    return [...node.children.values()].sort((a, b) => a.name.localeCompare(b.name)).map((n) => this.entry(n, now));
  }

  entry(pathOrNode: string | TrieNode, now: number): TopicEntry {
    const n = typeof pathOrNode === 'string' ? this.findNode(pathOrNode) : pathOrNode;
    if (!n) return { name: String(pathOrNode), path: String(pathOrNode), hasChildren: false, topicCount: 0 };
    return { name: n.name, path: n.path, hasChildren: n.children.size > 0, topicCount: n.topicCount, stats: n.data ? this.statsOf(n.path, n.data, now) : undefined };
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
    this.root.children.clear();
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
      node = node.children.get(segment);
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
      let child = node.children.get(segment);
      if (!child) {
        child = { name: segment, path: segments.slice(0, i + 1).join('/'), children: new Map(), topicCount: 0 };
        node.children.set(segment, child);
      }
      child.topicCount++;
      node = child;
    }
    this.byTopic.set(topic, node);
    return node;
  }
}
