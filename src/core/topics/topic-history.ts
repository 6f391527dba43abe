// One topic's raw history: the newest payload previews whose sizes add up to at most `capacityBytes`, kept in
// a circular buffer of parallel arrays. A message costs no object of its own (the topic browser records every
// message of every topic); the `TopicMessage` objects are made only when someone reads the history.

export interface TopicMessage {
  readonly at: number;
  readonly text: string;
  readonly bytes: number;
  readonly truncated: boolean;
}

/** What an entry costs against the caps: UTF-16 text plus a fixed overhead for its slot. */
export function historyEntrySize(text: string): number { return text.length * 2 + 48; }

const INITIAL_SLOTS = 8;

export class TopicHistory {
  private texts: string[] = new Array<string>(INITIAL_SLOTS);
  private ats = new Float64Array(INITIAL_SLOTS);
  /** Payload size in bytes, negative when the preview was truncated (saves a flag array). */
  private payloadBytes = new Float64Array(INITIAL_SLOTS);
  private head = 0;
  private count = 0;
  private bytes = 0;
  private droppedTotal = 0;

  constructor(readonly capacityBytes: number) {
    if (!Number.isFinite(capacityBytes) || capacityBytes <= 0) throw new RangeError(`capacityBytes must be positive, got ${capacityBytes}`);
  }

  get size(): number { return this.count; }
  get byteSize(): number { return this.bytes; }
  /** Entries dropped to stay under the cap (including ones refused for being larger than the cap alone). */
  get dropped(): number { return this.droppedTotal; }

  /** Adds an entry, dropping the oldest past the cap; returns false (counted dropped) when it alone is too large. */
  push(at: number, text: string, payloadBytes: number, truncated: boolean): boolean {
    const size = historyEntrySize(text);
    if (size > this.capacityBytes) {
      this.droppedTotal++;
      return false;
    }
    while (this.count > 0 && this.bytes + size > this.capacityBytes) this.dropOldest();
    if (this.count === this.texts.length) this.grow();
    const slot = (this.head + this.count) % this.texts.length;
    this.texts[slot] = text;
    this.ats[slot] = at;
    this.payloadBytes[slot] = truncated ? -payloadBytes - 1 : payloadBytes;
    this.count++;
    this.bytes += size;
    return true;
  }

  /** Removes the oldest entry; returns its size (0 when empty). */
  dropOldest(): number {
    if (this.count === 0) return 0;
    const text = this.texts[this.head] as string;
    const size = historyEntrySize(text);
    this.texts[this.head] = '';
    this.head = (this.head + 1) % this.texts.length;
    this.count--;
    this.bytes -= size;
    this.droppedTotal++;
    return size;
  }

  /** Newest first, at most `limit`. */
  newest(limit: number): TopicMessage[] {
    const out: TopicMessage[] = [];
    for (let i = this.count - 1; i >= 0 && out.length < limit; i--) out.push(this.at(i));
    return out;
  }

  /** The `index`-th entry, oldest first. */
  private at(index: number): TopicMessage {
    const slot = (this.head + index) % this.texts.length;
    const b = this.payloadBytes[slot] as number;
    return { at: this.ats[slot] as number, text: this.texts[slot] as string, bytes: b < 0 ? -b - 1 : b, truncated: b < 0 };
  }

  /** Doubles the slots, oldest entry first again. Slots only grow while the byte cap allows more entries. */
  private grow(): void {
    const n = this.texts.length * 2;
    const texts = new Array<string>(n);
    const ats = new Float64Array(n);
    const payloadBytes = new Float64Array(n);
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) % this.texts.length;
      texts[i] = this.texts[slot] as string;
      ats[i] = this.ats[slot] as number;
      payloadBytes[i] = this.payloadBytes[slot] as number;
    }
    this.texts = texts;
    this.ats = ats;
    this.payloadBytes = payloadBytes;
    this.head = 0;
  }
}
