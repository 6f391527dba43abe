// PublishTap (src/sources/mqtt/publish-tap.ts) on packets written by mqtt-packet (mqtt.js's own codec): QoS 0
// PUBLISH packets come out as topic and payload ranges, in order, and every other byte reaches mqtt.js unchanged,
// wherever the socket's chunks happen to be cut (inside a header, a length, a topic, a payload).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { PublishTap } from '../../../src/sources/mqtt/publish-tap';

function encode(packets: Packet[], protocolVersion: 4 | 5): Buffer {
  return Buffer.concat(packets.map((p) => mqttPacket.generate(p, { protocolVersion })));
}

function parse(bytes: Buffer, protocolVersion: 4 | 5): Packet[] {
  const parser = mqttPacket.parser({ protocolVersion });
  const out: Packet[] = [];
  parser.on('packet', (p) => out.push(p));
  parser.on('error', (e) => assert.fail(e));
  parser.parse(bytes);
  return out;
}

/** Feeds `bytes` in chunks cut at `cuts`; what the tap took and what it passed on. */
function run(bytes: Buffer, cuts: number[], mqtt5: boolean, armed = true) {
  const taken: { topic: string; payload: string }[] = [];
  const passed: Buffer[] = [];
  const tap = new PublishTap(mqtt5, (b, ts, te, ps, pe) => taken.push({ topic: b.toString('utf8', ts, te), payload: b.toString('utf8', ps, pe) }), (b) => passed.push(Buffer.from(b)));
  if (armed) tap.arm();
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    tap.push(bytes.subarray(from, cut));
    from = cut;
  }
  return { taken, passed: Buffer.concat(passed) };
}

for (const protocolVersion of [4, 5] as const) {
  const qos0 = (topic: string, payload: string, extra: Partial<Packet> = {}): Packet =>
    ({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false, ...extra }) as Packet;
  const others: Packet[] = [
    { cmd: 'pingresp' },
    { cmd: 'publish', topic: 'q1/x', payload: 'needs an ack', qos: 1, messageId: 7, retain: false, dup: false } as Packet,
    { cmd: 'suback', messageId: 3, granted: [0, 1] } as Packet,
  ];
  const stream: Packet[] = [
    qos0('a/b', '{"i":1}'),
    others[0]!,
    qos0('ünï/c', 'x'.repeat(200)), // a two-byte remaining length
    others[1]!,
    qos0('big', 'y'.repeat(20_000)), // three bytes
    qos0('retained', 'r', { retain: true }),
    ...(protocolVersion === 5 ? [qos0('props', 'p', { properties: { contentType: 'application/json', userProperties: { k: 'v' } } })] : []),
    others[2]!,
    qos0('last', ''),
  ];
  const expected = stream.filter((p) => p.cmd === 'publish' && p.qos === 0).map((p) => ({ topic: (p as { topic: string }).topic, payload: String((p as { payload: string }).payload) }));

  test(`MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}: QoS 0 messages taken in order, everything else passed on, at every cut`, () => {
    const bytes = encode(stream, protocolVersion);
    const passedExpected = encode(others, protocolVersion);
    const whole = run(bytes, [], protocolVersion === 5);
    assert.deepEqual(whole.taken, expected);
    assert.ok(whole.passed.equals(passedExpected));
    // Every single cut, and pairs of cuts close together (a header or a length split across three chunks).
    for (let cut = 1; cut < bytes.length; cut += cut < 400 || bytes.length - cut < 400 ? 1 : 97) {
      for (const second of [cut + 1, cut + 2, cut + 3]) {
        const cuts = second < bytes.length ? [cut, second] : [cut];
        const r = run(bytes, cuts, protocolVersion === 5);
        assert.deepEqual(r.taken, expected, `cuts ${cuts.join(',')}`);
        assert.ok(r.passed.equals(passedExpected), `cuts ${cuts.join(',')}: passed bytes`);
      }
    }
    assert.equal(parse(passedExpected, protocolVersion).length, others.length);
  });

  test(`MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}: before arm() every byte is mqtt.js's`, () => {
    const bytes = encode(stream, protocolVersion);
    const r = run(bytes, [5, 300, 301], protocolVersion === 5, false);
    assert.deepEqual(r.taken, []);
    assert.ok(r.passed.equals(bytes));
  });
}

test('a topic alias (empty topic) is left to mqtt.js', () => {
  const aliased = mqttPacket.generate({ cmd: 'publish', topic: '', payload: 'p', qos: 0, retain: false, dup: false, properties: { topicAlias: 1 } } as Packet, { protocolVersion: 5 });
  const r = run(aliased, [], true);
  assert.deepEqual(r.taken, []);
  assert.ok(r.passed.equals(aliased));
});

test('a 4 MB payload in 16 KB chunks arrives whole, and is joined once, not on every chunk', () => {
  const payload = 'p'.repeat(4 * 1024 * 1024);
  const bytes = mqttPacket.generate({ cmd: 'publish', topic: 'big/one', payload, qos: 0, retain: false, dup: false } as Packet, { protocolVersion: 4 });
  const cuts: number[] = [];
  for (let at = 16_384; at < bytes.length; at += 16_384) cuts.push(at);
  const concat = Buffer.concat;
  let copied = 0;
  Buffer.concat = ((list: readonly Uint8Array[], total?: number) => {
    const joined = concat(list, total);
    copied += joined.length;
    return joined;
  }) as typeof Buffer.concat;
  let result;
  try {
    result = run(bytes, cuts, false);
  } finally {
    Buffer.concat = concat;
  }
  assert.equal(result.taken.length, 1);
  assert.equal(result.taken[0]!.payload.length, payload.length);
  // `run` joins what was passed on itself (nothing here); the tap's own joins: the packet once.
  assert.ok(copied <= 2 * bytes.length, `copied ${copied} bytes for a ${bytes.length}-byte packet`);
});

test('fuzz: random bytes in random chunks never throw, and every byte the tap does not take reaches mqtt.js in order', async () => {
  const fc = (await import('fast-check')).default;
  fc.assert(fc.property(fc.uint8Array({ maxLength: 2_000 }), fc.array(fc.nat(2_000), { maxLength: 20 }), fc.boolean(), (raw, cutPoints, mqtt5) => {
    const bytes = Buffer.from(raw);
    const cuts = [...new Set(cutPoints.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
    const taken: [number, number][] = [];
    const passed: Buffer[] = [];
    const tap = new PublishTap(mqtt5, (_b, ts, _te, _ps, pe) => taken.push([ts, pe]), (b) => passed.push(Buffer.from(b)));
    tap.arm();
    let from = 0;
    for (const cut of [...cuts, bytes.length]) {
      tap.push(bytes.subarray(from, cut));
      from = cut;
    }
    const out = Buffer.concat(passed);
    // What was passed on is the input with whole packets cut out: never more bytes than came in.
    assert.ok(out.length <= bytes.length);
  }), { numRuns: 3_000 });
});
