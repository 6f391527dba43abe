// Reads QoS 0 PUBLISH packets off an MQTT connection's bytes before mqtt.js does (in the reader thread). mqtt.js
// makes a packet object, a topic string and a payload Buffer per message, and runs its handler chain: about as much
// CPU as the raw subscriber's whole cost, and the reader thread has to keep up with the broker (QoS 0 messages a
// slow reader does not take are dropped by it). Here such a message is two ranges of the bytes read. Every other
// packet (CONNACK, SUBACK, PINGRESP, QoS 1 and 2 PUBLISH that need acknowledging, DISCONNECT…) and every byte
// before `arm()` is passed on to mqtt.js unchanged, in order, so the protocol stays mqtt.js's.
import { PartialFrame } from '../partial-frame';

/** The topic and payload of one QoS 0 message: ranges of `bytes`. */
export type PublishHandler = (bytes: Buffer, topicStart: number, topicEnd: number, payloadStart: number, payloadEnd: number) => void;

const PUBLISH = 3;

export class PublishTap {
  private armed = false;
  /** Bytes of a packet being passed on that are still to come. */
  private passRemaining = 0;
  /** The start of a packet not yet read whole (its header, or a QoS 0 PUBLISH). */
  private readonly head = new PartialFrame();

  constructor(
    private readonly mqtt5: boolean,
    private readonly onPublish: PublishHandler,
    /** Bytes for mqtt.js, in the order they came. */
    private readonly passOn: (bytes: Buffer) => void,
  ) {}

  /** From now on QoS 0 PUBLISH packets go to `onPublish` (once subscribed: before, mqtt.js sees everything). */
  arm(): void { this.armed = true; }

  push(chunk: Buffer): void {
    let bytes = chunk;
    let i = 0;
    if (this.passRemaining > 0) {
      i = Math.min(this.passRemaining, bytes.length);
      this.passOn(bytes.subarray(0, i));
      this.passRemaining -= i;
      if (i === bytes.length) return;
    }
    if (this.head.pending) {
      const joined = this.head.add(bytes.subarray(i));
      if (joined === undefined) return;
      bytes = joined;
      i = 0;
    }
    let passFrom = i;
    while (i < bytes.length) {
      // Fixed header: type and flags, then the remaining length (1 to 4 bytes, 7 bits each).
      let length = 0;
      let shift = 0;
      let p = i + 1;
      let complete = false;
      while (p < bytes.length && p - i <= 4) {
        const b = bytes[p++] as number;
        length += (b & 0x7f) * 2 ** shift;
        shift += 7;
        if ((b & 0x80) === 0) { complete = true; break; }
      }
      if (!complete && p - i <= 4) {
        // The header itself continues in the next chunk.
        this.pass(bytes, passFrom, i);
        this.head.keep(bytes.subarray(i), bytes.length - i + 1);
        return;
      }
      // A malformed length: the rest goes to mqtt.js, which rejects it and ends the connection.
      if (!complete) break;
      const end = p + length;
      const first = bytes[i] as number;
      if (this.armed && first >> 4 === PUBLISH && (first & 0x06) === 0) {
        if (end > bytes.length) {
          this.pass(bytes, passFrom, i);
          this.head.keep(bytes.subarray(i), end - i);
          return;
        }
        if (this.take(bytes, p, end)) {
          this.pass(bytes, passFrom, i);
          passFrom = end;
        }
      } else if (end > bytes.length) {
        // Passed on as it comes (mqtt.js reassembles it).
        this.passRemaining = end - bytes.length;
        break;
      }
      i = end;
    }
    this.pass(bytes, passFrom, bytes.length);
  }

  private pass(bytes: Buffer, from: number, to: number): void {
    if (to > from) this.passOn(bytes.subarray(from, to));
  }

  /** A QoS 0 PUBLISH's variable header and payload (`start`–`end`); false leaves it to mqtt.js (e.g. a topic alias). */
  private take(bytes: Buffer, start: number, end: number): boolean {
    if (end - start < 2) return false;
    const topicStart = start + 2;
    const topicEnd = topicStart + bytes.readUInt16BE(start);
    if (topicEnd === topicStart || topicEnd > end) return false;
    let payloadStart = topicEnd;
    if (this.mqtt5) {
      // Properties: their length (variable byte integer), then the properties, which nothing here needs.
      let length = 0;
      let shift = 0;
      let b = 0x80;
      while ((b & 0x80) !== 0) {
        if (payloadStart >= end || shift > 21) return false;
        b = bytes[payloadStart++] as number;
        length += (b & 0x7f) * 2 ** shift;
        shift += 7;
      }
      payloadStart += length;
      if (payloadStart > end) return false;
    }
    this.onPublish(bytes, topicStart, topicEnd, payloadStart, end);
    return true;
  }
}
