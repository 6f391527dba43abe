// Strings read straight from bytes, each distinct value made once. A push source decodes the same few values in
// every message (task types, statuses, parent and worker ids, a task's id in each of its events); decoding them
// afresh costs a string per value per message, and whatever a model object keeps of it outlives the young generation.
// Here a value is looked up by its bytes (hashed and compared in place, nothing allocated) and the string made the
// first time is returned again, so a message whose values were all seen before makes no string at all.
//
// Bounded: at half its slots it starts over (strings in use stay valid; only sharing with later messages is lost
// until a value is seen again). Values must be ASCII (the caller knows: nexus-frame-scan.ts checks every byte), so
// that latin1 decoding spells them as UTF-8 would.

/** Longer values are decoded each time: ids and names are shorter; long ones are text, rarely repeated. */
export const MAX_SHARED_BYTES = 256;

export class ByteStrings {
  private readonly hashes: Int32Array;
  private readonly values: (string | undefined)[];
  private readonly mask: number;
  private count = 0;

  constructor(slots = 1 << 15) {
    if (!Number.isInteger(Math.log2(slots)) || slots < 8) throw new RangeError(`slots must be a power of two ≥ 8, got ${slots}`);
    this.hashes = new Int32Array(slots);
    this.values = new Array<string | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
  }

  /** The string of the ASCII bytes `bytes[start, end)`: the one made before for the same bytes, if still held. */
  get(bytes: Buffer, start: number, end: number): string {
    const length = end - start;
    if (length > MAX_SHARED_BYTES) return bytes.toString('latin1', start, end);
    let h = 0x811c9dc5 ^ length;
    for (let i = start; i < end; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
    h ^= h >>> 15;
    const { hashes, values, mask } = this;
    let slot = h & mask;
    for (let value = values[slot]; value !== undefined; value = values[slot]) {
      if (hashes[slot] === h && value.length === length && sameChars(value, bytes, start)) return value;
      slot = (slot + 1) & mask;
    }
    const made = bytes.toString('latin1', start, end);
    if (this.count >= (mask + 1) >>> 1) {
      this.clear();
      slot = h & mask;
    }
    hashes[slot] = h;
    values[slot] = made;
    this.count++;
    return made;
  }

  /** Values held now. */
  get size(): number { return this.count; }

  private clear(): void {
    this.values.fill(undefined);
    this.count = 0;
  }
}

function sameChars(value: string, bytes: Uint8Array, start: number): boolean {
  for (let k = 0; k < value.length; k++) if (value.charCodeAt(k) !== bytes[start + k]) return false;
  return true;
}
