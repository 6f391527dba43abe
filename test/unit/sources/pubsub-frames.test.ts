// PubSubFrameReader (src/sources/redis/pubsub-frames.ts): the replies of a subscribed RESP2 connection, read
// however the socket cuts them, give exactly what they hold; anything a subscribed connection cannot receive is a
// PubSubProtocolError, never a wrong message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeCommand, PubSubFrameReader, PubSubProtocolError } from '../../../src/sources/redis/pubsub-frames';

type Reply =
  | { kind: 'message'; channel: Buffer; payload: Buffer }
  | { kind: 'pmessage'; pattern: Buffer; channel: Buffer; payload: Buffer }
  | { kind: 'confirmation'; name: 'subscribe' | 'psubscribe' | 'unsubscribe' | 'punsubscribe'; channel: string; count: number }
  | { kind: 'error'; text: string };

const bulk = (b: Buffer) => Buffer.concat([Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n')]);

function encode(r: Reply): Buffer {
  switch (r.kind) {
    case 'message': return Buffer.concat([Buffer.from('*3\r\n'), bulk(Buffer.from('message')), bulk(r.channel), bulk(r.payload)]);
    case 'pmessage': return Buffer.concat([Buffer.from('*4\r\n'), bulk(Buffer.from('pmessage')), bulk(r.pattern), bulk(r.channel), bulk(r.payload)]);
    case 'confirmation': return Buffer.concat([Buffer.from('*3\r\n'), bulk(Buffer.from(r.name)), bulk(Buffer.from(r.channel)), Buffer.from(`:${r.count}\r\n`)]);
    case 'error': return Buffer.from(`-${r.text}\r\n`);
  }
}

/** What the reader reports, as comparable values. */
function read(chunks: readonly Buffer[]): unknown[] {
  const seen: unknown[] = [];
  const reader = new PubSubFrameReader({
    message: (bytes, start, end, channelStart, channelEnd) => seen.push(['message', bytes.toString('hex', channelStart, channelEnd), bytes.toString('hex', start, end)]),
    confirmation: (kind, name, count) => seen.push(['confirmation', kind, name, count]),
    errorReply: (text) => seen.push(['error', text]),
  });
  for (const c of chunks) reader.push(c);
  return seen;
}

function expected(replies: readonly Reply[]): unknown[] {
  return replies.map((r) => r.kind === 'message' || r.kind === 'pmessage' ? ['message', r.channel.toString('hex'), r.payload.toString('hex')]
    : r.kind === 'confirmation' ? ['confirmation', r.name, r.channel, r.count] : ['error', r.text]);
}

/** `bytes` cut at the given (sorted, deduplicated) offsets. */
function cut(bytes: Buffer, offsets: readonly number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of points) { chunks.push(bytes.subarray(from, p)); from = p; }
  chunks.push(bytes.subarray(from));
  return chunks.filter((c) => c.length > 0);
}

const bytesArb = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a));
const replyArb: fc.Arbitrary<Reply> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('message' as const), channel: bytesArb, payload: bytesArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('pmessage' as const), pattern: bytesArb, channel: bytesArb, payload: bytesArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('confirmation' as const), name: fc.constantFrom('subscribe' as const, 'psubscribe' as const, 'unsubscribe' as const, 'punsubscribe' as const), channel: fc.string({ maxLength: 30 }), count: fc.nat(1_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('error' as const), text: fc.string({ maxLength: 80 }).map((s) => s.replace(/[\r\n]/g, ' ')) }) },
);

test('any sequence of replies, cut anywhere by the socket, gives the same messages, confirmations and errors in order', () => {
  fc.assert(fc.property(fc.array(replyArb, { maxLength: 30 }), fc.array(fc.nat(20_000), { maxLength: 40 }), (replies, offsets) => {
    const stream = Buffer.concat(replies.map(encode));
    assert.deepEqual(read(cut(stream, offsets)), expected(replies));
  }), { numRuns: 500 });
});

test('every cut of one message: byte by byte, and at every single offset', () => {
  const payload = Buffer.from('{"event_id": "e1", "message": "line\\r\\nwith CRLF \r\n inside and ünïcode"}', 'utf8');
  const stream = Buffer.concat([encode({ kind: 'pmessage', pattern: Buffer.from('ev:*'), channel: Buffer.from('ev:1'), payload }), encode({ kind: 'message', channel: Buffer.from('ev'), payload })]);
  const want = [['message', Buffer.from('ev:1').toString('hex'), payload.toString('hex')], ['message', Buffer.from('ev').toString('hex'), payload.toString('hex')]];
  assert.deepEqual(read([...stream].map((b) => Buffer.from([b]))), want);
  for (let i = 1; i < stream.length; i++) assert.deepEqual(read([stream.subarray(0, i), stream.subarray(i)]), want, `cut at ${i}`);
});

test('a 5 MB payload read in 64 KB pieces arrives whole', () => {
  const payload = Buffer.alloc(5 * 1024 * 1024, 0x61);
  const stream = encode({ kind: 'message', channel: Buffer.from('big'), payload });
  const chunks: Buffer[] = [];
  for (let i = 0; i < stream.length; i += 65_536) chunks.push(stream.subarray(i, i + 65_536));
  const seen = read(chunks) as [string, string, string][];
  assert.equal(seen.length, 1);
  assert.equal(seen[0]![2].length, payload.length * 2);
});

test('what a subscribed connection never receives is a protocol error, not a message', () => {
  const cases: [string, RegExp][] = [
    ['+OK\r\n', /unexpected reply type "\+"/],
    [':1\r\n', /unexpected reply type ":"/],
    ['*5\r\n', /5 elements/],
    ['*0\r\n', /0 elements/],
    ['*3\r\n$7\r\nmessage\r\n$-1\r\n', /null element/],
    ['*3\r\n$7\r\nmessage\r\n$2\r\nev\r\n$2\r\nabXY', /not ended by CRLF/],
    ['*3\r\n$x\r\n', /unexpected "x" in a RESP length/],
    ['*3\r\n$7\r\nmessagX\r\n$2\r\nev\r\n$2\r\nab\r\n', /unexpected "messagX" reply/],
    ['*2\r\n$4\r\npong\r\n$0\r\n\r\n', /unexpected "pong" reply of 2 elements/],
    ['*3\r\n$9\r\nsubscribe\r\n$2\r\nev\r\n$1\r\n1\r\n', /unexpected "subscribe" reply/],
    ['*3\r\n!7\r\n', /unexpected element type "!"/],
    ['*1234567890123456\r\n', /in a RESP length/],
    ['*3\r\n$7\r\nmessage\r\n$2\r\nev\r\n$999999999999\r\n', /more than Redis sends/],
    [`-${'E'.repeat(5_000)}`, /error reply longer/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => read([Buffer.from(text)]), (e: unknown) => e instanceof PubSubProtocolError && message.test(e.message), JSON.stringify(text.slice(0, 40)));
  }
});

test('commands are written as RESP arrays of bulk strings, lengths in bytes', () => {
  assert.equal(encodeCommand(['SUBSCRIBE', 'nexus:events', 'ünï']).toString('utf8'), '*3\r\n$9\r\nSUBSCRIBE\r\n$12\r\nnexus:events\r\n$5\r\nünï\r\n');
});

test('fuzz: random bytes in random chunks end in a PubSubProtocolError or nothing, never another exception', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 500 }), fc.array(fc.nat(500), { maxLength: 10 }), (raw, offsets) => {
    try {
      read(cut(Buffer.from(raw), offsets));
    } catch (error) {
      assert.ok(error instanceof PubSubProtocolError, String(error));
    }
  }), { numRuns: 5_000 });
});

test('fuzz: valid replies with bytes changed end in a PubSubProtocolError or in replies, never another exception', () => {
  fc.assert(fc.property(fc.array(replyArb, { minLength: 1, maxLength: 10 }), fc.array(fc.tuple(fc.nat(10_000), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 5 }), fc.array(fc.nat(10_000), { maxLength: 10 }), (replies, changes, offsets) => {
    const stream = Buffer.from(Buffer.concat(replies.map(encode)));
    for (const [at, value] of changes) stream[at % stream.length] = value;
    try {
      read(cut(stream, offsets));
    } catch (error) {
      assert.ok(error instanceof PubSubProtocolError, String(error));
    }
  }), { numRuns: 5_000 });
});
