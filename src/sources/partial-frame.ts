// The start of a protocol frame that a socket read cut off, for the readers that parse frames straight off a
// socket's bytes (redis/pubsub-frames.ts, mqtt/publish-tap.ts). Later reads are gathered, not copied, until the
// frame can be complete, then joined once: a large payload arriving in many reads is not copied again on each.
// A socket's chunks are fresh Buffers (never reused), so holding slices of them is safe.
export class PartialFrame {
  private parts: Buffer[] = [];
  private bytes = 0;
  private needed = 0;

  /** Whether a frame's start is waiting for more bytes. */
  get pending(): boolean { return this.bytes > 0; }

  /** Keeps a frame's first bytes; it needs at least `needed` bytes in all before it is worth reading again. */
  keep(start: Buffer, needed: number): void {
    this.parts = [start];
    this.bytes = start.length;
    this.needed = needed;
  }

  /** Adds the next read: the frame's bytes so far followed by it, once `needed` are there; else undefined. */
  add(chunk: Buffer): Buffer | undefined {
    this.parts.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes < this.needed) return undefined;
    const joined = Buffer.concat(this.parts, this.bytes);
    this.parts = [];
    this.bytes = 0;
    return joined;
  }
}
