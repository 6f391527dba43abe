// De-duplication of event ids with bounded memory. Shared by every source that may receive one event twice
// (Nexus publishes an event to its global channel and again to its project or stats channel; its WebSocket
// server forwards both copies).
//
// An approximate LRU in two generations: ids go into the current table; when it holds capacity/2 ids it becomes
// the previous table and the old previous one is cleared for reuse; an id seen again in the previous table is
// remembered in the current one too. So the capacity/2 most recently seen ids are always remembered, never more
// than `capacity`, and every operation is O(1).
//
// Ids are remembered as 63-bit fingerprints in open-addressing typed arrays, not as strings in a Set: this runs for
// every frame at 100k+ frames/s, and a Set of the id strings kept each id alive long enough to be promoted to the old
// generation (most of the de-dup's cost was garbage collection and cache misses, not hashing). Two ids share a
// fingerprint with probability ~2⁻⁶³ per comparison: a fresh event wrongly taken for a repeat is not expected in
// the lifetime of any deployment. (Event ids come from the monitored system, not from an adversary.)

export class DedupSet {
  private current: FingerprintTable;
  private previous: FingerprintTable;
  private readonly generation: number;
  private duplicatesSeen = 0;

  constructor(readonly capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`capacity must be an integer ≥ 2, got ${capacity}`);
    this.generation = Math.floor(capacity / 2);
    this.current = new FingerprintTable(this.generation);
    this.previous = new FingerprintTable(this.generation);
  }

  /** True the first time `id` is seen (and remembers it); false for a repeat still remembered. */
  firstSeen(id: string): boolean {
    const h1 = this.hash(id);
    return this.firstSeenFingerprint(h1, this.secondHash);
  }

  /**
   * `firstSeen` of a fingerprint computed elsewhere (`fingerprintBytes`: a reader thread hashes an id it has only as
   * bytes, and the host never makes a string of it).
   */
  firstSeenFingerprint(h1: number, h2: number): boolean {
    if (this.current.has(h1, h2)) {
      this.duplicatesSeen++;
      return false;
    }
    // A repeat found only in the previous generation is remembered again: more copies may still be on their way.
    const repeat = this.previous.has(h1, h2);
    this.insert(h1, h2);
    if (repeat) this.duplicatesSeen++;
    return !repeat;
  }

  /** Whether a fingerprint is remembered; if so the repeat is counted (the cheap check before anything is built). */
  repeatFingerprint(h1: number, h2: number): boolean {
    if (!this.hasFingerprint(h1, h2)) return false;
    this.firstSeenFingerprint(h1, h2);
    return true;
  }

  /** `has` of a fingerprint. */
  hasFingerprint(h1: number, h2: number): boolean { return this.current.has(h1, h2) || this.previous.has(h1, h2); }

  /** `remember` of a fingerprint that `hasFingerprint` just reported absent. */
  rememberFingerprint(h1: number, h2: number): void { this.insert(h1, h2); }

  /** Whether `id` is remembered, without remembering it or counting a repeat. */
  has(id: string): boolean {
    const h1 = this.hash(id);
    return this.hasFingerprint(h1, this.secondHash);
  }

  /** Ids remembered (an id refreshed from the previous generation counts in both until that one is dropped). */
  get size(): number { return this.current.count + this.previous.count; }
  /** How many repeats were dropped so far. */
  get duplicates(): number { return this.duplicatesSeen; }
  clear(): void { this.current.clear(); this.previous.clear(); }

  /** Remembers an id that `has` just reported absent (the per-frame path remembers an id only once its event validated). */
  remember(id: string): void {
    const h1 = this.hash(id);
    this.insert(h1, this.secondHash);
  }

  /** The second hash of the last `hash` call: a return slot, so that hashing an id allocates nothing. */
  private secondHash = 0;

  /** The fingerprint of `text` (`fingerprintBytes` of its code units): returns the first hash, the second in `secondHash`. */
  private hash(text: string): number {
    // `has` then `remember` of one id (the per-frame path) hash it once.
    if (text === this.lastHashed) {
      this.secondHash = this.lastSecond;
      return this.lastFirst;
    }
    let a = firstSeed(text.length);
    let b = secondSeed(text.length);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      a = firstStep(a, c);
      b = secondStep(b, c);
    }
    this.secondHash = finalize(b);
    this.lastHashed = text;
    this.lastSecond = this.secondHash;
    return (this.lastFirst = finalize(a));
  }

  private lastHashed: string | undefined;
  private lastFirst = 0;
  private lastSecond = 0;

  private insert(h1: number, h2: number): void {
    if (this.current.count >= this.generation) {
      const recycled = this.previous;
      recycled.clear();
      this.previous = this.current;
      this.current = recycled;
    }
    this.current.add(h1, h2);
  }
}

/**
 * A set of (h1, h2) fingerprints by linear probing, at most half full. Slot i is empty when `second[i]` is 0; h2 is
 * stored with its low bit set so that no fingerprint is 0 (63 bits of the two hashes remain).
 */
class FingerprintTable {
  private readonly first: Int32Array;
  private readonly second: Int32Array;
  private readonly mask: number;
  count = 0;

  constructor(maxEntries: number) {
    let slots = 8;
    while (slots < maxEntries * 2) slots *= 2;
    this.first = new Int32Array(slots);
    this.second = new Int32Array(slots);
    this.mask = slots - 1;
  }

  has(h1: number, h2: number): boolean {
    const tag = h2 | 1;
    for (let i = h1 & this.mask; ; i = (i + 1) & this.mask) {
      const stored = this.second[i]!;
      if (stored === 0) return false;
      if (stored === tag && this.first[i] === h1) return true;
    }
  }

  /** Adds a fingerprint known to be absent (callers check `has` first, or accept a harmless second copy). */
  add(h1: number, h2: number): void {
    let i = h1 & this.mask;
    while (this.second[i] !== 0) i = (i + 1) & this.mask;
    this.first[i] = h1;
    this.second[i] = h2 | 1;
    this.count++;
  }

  clear(): void {
    if (this.count === 0) return;
    this.first.fill(0);
    this.second.fill(0);
    this.count = 0;
  }
}

/**
 * The fingerprint of an id that is ASCII bytes, `bytes[start, end)`, written to `out[at]` and `out[at + 1]`: equal to
 * the one DedupSet makes of the same id as a string (so ids hashed by a reader thread and ids hashed by the host
 * meet in one set). Two independent 32-bit hashes in one pass (FNV-1a, and a multiply-xorshift with other constants),
 * each through murmur3's finalizer so the low bits (the slot) are well mixed.
 */
export function fingerprintBytes(bytes: Uint8Array, start: number, end: number, out: Int32Array, at: number): void {
  let a = firstSeed(end - start);
  let b = secondSeed(end - start);
  for (let i = start; i < end; i++) {
    const c = bytes[i] as number;
    a = firstStep(a, c);
    b = secondStep(b, c);
  }
  out[at] = finalize(a);
  out[at + 1] = finalize(b);
}

function firstSeed(length: number): number { return 0x811c9dc5 ^ length; }
function secondSeed(length: number): number { return 0x9747b28c ^ Math.imul(length, 0x5bd1e995); }
function firstStep(a: number, c: number): number { return Math.imul(a ^ c, 0x01000193); }
function secondStep(b: number, c: number): number {
  const m = Math.imul(b ^ c, 0x5bd1e995);
  return m ^ (m >>> 13);
}

function finalize(value: number): number {
  let h = value ^ (value >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
