// The replies a subscribed Redis connection receives (RESP2), read straight off its socket by the pub/sub reader
// thread (pubsub-worker.ts): published messages (`message`, `pmessage`), subscription confirmations and error
// replies. ioredis's general reply parser makes three Buffers and a string per message, which cost the reader more
// than the raw subscriber's whole budget; here a message is a range of the bytes read, and nothing is allocated
// for it. Anything else a subscribed connection cannot receive is a protocol error.
import { PartialFrame } from '../partial-frame';

/** Where the reader hands what it read. */
export interface PubSubFrameHandlers {
  /** A published message: its payload is `bytes[start, end)` and its channel `bytes[channelStart, channelEnd)`, valid only during the call. */
  message(bytes: Buffer, start: number, end: number, channelStart: number, channelEnd: number): void;
  /** A (p)subscribe or (p)unsubscribe confirmation: the channel or pattern, and how many the connection now has. */
  confirmation(kind: string, name: string, subscriptions: number): void;
  /** An error reply (`-NOPERM …`), without its leading `-`. */
  errorReply(text: string): void;
}

/** The connection sent something a subscribed RESP2 connection never receives. */
export class PubSubProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PubSubProtocolError';
  }
}

const CR = 13;
const LF = 10;
/** Elements of the longest reply read here (`pmessage`, pattern, channel, payload). */
const MAX_ELEMENTS = 4;
/** An error reply's line is read up to this length; a longer one means the stream is not what it should be. */
const MAX_ERROR_LINE = 4_096;
/** Redis's own ceiling on a bulk string (proto-max-bulk-len, 512 MB): a longer one is a broken stream, not a wait. */
const MAX_BULK_BYTES = 512 * 1024 * 1024;
/** What `frameAt` returns when the frame does not end within the bytes read so far. */
const INCOMPLETE = -1;

/**
 * Splits a subscribed connection's byte stream into frames, across reads: a frame cut by a read waits for the
 * rest. Large payloads are gathered without copying the bytes read so far again on every read.
 */
export class PubSubFrameReader {
  /** An unfinished frame, and (set by `incomplete`) how many bytes it needs at least. */
  private readonly partial = new PartialFrame();
  private neededBytes = 0;
  /** Of the frame being read: each element's start and end (an integer element: its value in `ends`, start -1). */
  private readonly starts = new Int32Array(MAX_ELEMENTS);
  private readonly ends = new Float64Array(MAX_ELEMENTS);
  /** The last integer readInteger read. */
  private integer = 0;

  constructor(private readonly handlers: PubSubFrameHandlers) {}

  /** One read off the socket. Throws PubSubProtocolError when the stream is not RESP2 pub/sub replies. */
  push(chunk: Buffer): void {
    let bytes = chunk;
    if (this.partial.pending) {
      const joined = this.partial.add(chunk);
      if (joined === undefined) return;
      bytes = joined;
    }
    let offset = 0;
    while (offset < bytes.length) {
      const next = this.frameAt(bytes, offset);
      if (next === INCOMPLETE) {
        this.partial.keep(bytes.subarray(offset), this.neededBytes);
        return;
      }
      offset = next;
    }
  }

  /** The frame starting at `at`: handled, and the offset after it; or INCOMPLETE (with `neededBytes` set). */
  private frameAt(bytes: Buffer, at: number): number {
    const type = bytes[at];
    if (type === 0x2d /* - */) {
      const lineEnd = bytes.indexOf(CR, at);
      if (lineEnd < 0 || lineEnd + 1 >= bytes.length) {
        if (bytes.length - at > MAX_ERROR_LINE) throw new PubSubProtocolError('an error reply longer than any Redis sends');
        return this.incomplete(lineEnd < 0 ? bytes.length - at + 2 : lineEnd + 2 - at);
      }
      expectLf(bytes, lineEnd);
      this.handlers.errorReply(bytes.toString('utf8', at + 1, lineEnd));
      return lineEnd + 2;
    }
    if (type !== 0x2a /* * */) throw new PubSubProtocolError(`unexpected reply type ${describeByte(type)} on a subscribed connection`);
    let offset = this.readInteger(bytes, at + 1);
    if (offset === INCOMPLETE) return this.incomplete(bytes.length - at + 1);
    const count = this.integer;
    if (count < 1 || count > MAX_ELEMENTS) throw new PubSubProtocolError(`unexpected reply of ${count} elements on a subscribed connection`);
    for (let i = 0; i < count; i++) {
      if (offset >= bytes.length) return this.incomplete(offset - at + 4);
      const kind = bytes[offset];
      const next = this.readInteger(bytes, offset + 1);
      if (next === INCOMPLETE) return this.incomplete(bytes.length - at + 1);
      if (kind === 0x3a /* : */) {
        this.starts[i] = -1;
        this.ends[i] = this.integer;
        offset = next;
      } else if (kind === 0x24 /* $ */) {
        if (this.integer < 0) throw new PubSubProtocolError('unexpected null element in a pub/sub reply');
        if (this.integer > MAX_BULK_BYTES) throw new PubSubProtocolError(`a bulk string of ${this.integer} bytes, more than Redis sends (proto-max-bulk-len)`);
        const end = next + this.integer;
        if (end + 2 > bytes.length) return this.incomplete(end + 2 - at);
        expectCrLf(bytes, end);
        this.starts[i] = next;
        this.ends[i] = end;
        offset = end + 2;
      } else {
        throw new PubSubProtocolError(`unexpected element type ${describeByte(kind)} in a pub/sub reply`);
      }
    }
    this.dispatch(bytes, count);
    return offset;
  }

  private dispatch(bytes: Buffer, count: number): void {
    const { starts, ends } = this;
    const kindStart = starts[0] as number;
    const kindLength = (ends[0] as number) - kindStart;
    if (kindStart < 0) throw new PubSubProtocolError('a pub/sub reply that does not start with its kind');
    // `message` and `pmessage` are told apart by length and first bytes: no string is made for them.
    if (count === 3 && kindLength === 7 && starts[1]! >= 0 && starts[2]! >= 0 && asciiAt(bytes, kindStart, 'message')) {
      this.handlers.message(bytes, starts[2]!, ends[2]!, starts[1]!, ends[1]!);
      return;
    }
    if (count === 4 && kindLength === 8 && starts[2]! >= 0 && starts[3]! >= 0 && asciiAt(bytes, kindStart, 'pmessage')) {
      this.handlers.message(bytes, starts[3]!, ends[3]!, starts[2]!, ends[2]!);
      return;
    }
    const kind = bytes.toString('latin1', kindStart, kindStart + kindLength);
    if (count === 3 && CONFIRMATIONS.has(kind) && starts[2] === -1) {
      const nameStart = starts[1]!;
      this.handlers.confirmation(kind, nameStart < 0 ? '' : bytes.toString('utf8', nameStart, ends[1]!), ends[2]!);
      return;
    }
    throw new PubSubProtocolError(`unexpected "${kind.slice(0, 40)}" reply of ${count} elements on a subscribed connection`);
  }

  /** The decimal integer from `at` up to CRLF into `integer`; the offset after the CRLF, or INCOMPLETE. */
  private readInteger(bytes: Buffer, at: number): number {
    let i = at;
    let negative = false;
    if (bytes[i] === 0x2d) {
      negative = true;
      i++;
    }
    let value = 0;
    let digits = 0;
    for (; i < bytes.length; i++) {
      const c = bytes[i] as number;
      if (c === CR) {
        if (i + 1 >= bytes.length) return INCOMPLETE;
        expectLf(bytes, i);
        if (digits === 0) throw new PubSubProtocolError('a RESP length without digits');
        this.integer = negative ? -value : value;
        return i + 2;
      }
      if (c < 0x30 || c > 0x39 || ++digits > 15) throw new PubSubProtocolError(`unexpected ${describeByte(c)} in a RESP length`);
      value = value * 10 + (c - 0x30);
    }
    return INCOMPLETE;
  }

  /** The frame needs at least `neededBytes` from its start (lengths are at most 15 digits, so lines stay short). */
  private incomplete(neededBytes: number): number {
    this.neededBytes = neededBytes;
    return INCOMPLETE;
  }
}

const CONFIRMATIONS = new Set(['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe']);

/** Whether `bytes` hold the ASCII `text` at `at`. */
function asciiAt(bytes: Buffer, at: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

function expectLf(bytes: Buffer, cr: number): void {
  if (bytes[cr + 1] !== LF) throw new PubSubProtocolError('a RESP line not ended by CRLF');
}

function expectCrLf(bytes: Buffer, at: number): void {
  if (bytes[at] !== CR || bytes[at + 1] !== LF) throw new PubSubProtocolError('a RESP bulk string not ended by CRLF');
}

function describeByte(byte: number | undefined): string {
  return byte === undefined ? 'end of data' : byte >= 0x20 && byte < 0x7f ? `"${String.fromCharCode(byte)}"` : `0x${byte.toString(16).padStart(2, '0')}`;
}

/** A command as RESP2 (an array of bulk strings): what the reader thread writes to subscribe. */
export function encodeCommand(args: readonly string[]): Buffer {
  let text = `*${args.length}\r\n`;
  for (const arg of args) text += `$${Buffer.byteLength(arg, 'utf8')}\r\n${arg}\r\n`;
  return Buffer.from(text, 'utf8');
}
