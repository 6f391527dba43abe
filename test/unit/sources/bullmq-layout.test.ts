// BullMQ's Redis layout: meta.version parsing, states per major, queue names from discovery keys, and worker
// connections from `CLIENT LIST` (names `<prefix>:<base64(queue)>[:w:<worker>]`, see shared/reference/bullmq.md §A.5).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BULLMQ_STATES_V5, BULLMQ_STATES_V6, parseBullmqVersion, parseWorkerClients, queueNameFromKey, STATE_KEYS, statesForVersion,
} from '../../../src/sources/redis/bullmq-layout';
import { bullmqClientName, clientListLine } from '../../fixtures/builders';

describe('parseBullmqVersion', () => {
  test('bullmq:5.81.5', () => assert.deepEqual(parseBullmqVersion('bullmq:5.81.5'), { raw: 'bullmq:5.81.5', flavour: 'bullmq', major: 5 }));
  test('bullmq:6.7.0', () => assert.deepEqual(parseBullmqVersion('bullmq:6.7.0'), { raw: 'bullmq:6.7.0', flavour: 'bullmq', major: 6 }));
  test('bullmq-pro:7.1.0', () => assert.deepEqual(parseBullmqVersion('bullmq-pro:7.1.0'), { raw: 'bullmq-pro:7.1.0', flavour: 'bullmq-pro', major: 7 }));
  test('a bare major', () => assert.deepEqual(parseBullmqVersion('bullmq:12'), { raw: 'bullmq:12', flavour: 'bullmq', major: 12 }));

  for (const junk of ['bull:3.0.0', 'bullmq', 'bullmq:', 'bullmq:x.1.2', 'bullmq:5x', 'BULLMQ:5.0.0', ' bullmq:5.0.0', '5.81.5']) {
    test(`junk ${JSON.stringify(junk)} is kept raw with an unknown flavour`, () => {
      assert.deepEqual(parseBullmqVersion(junk), { raw: junk, flavour: 'unknown' });
    });
  }

  test('null, undefined and "" mean no version', () => {
    assert.equal(parseBullmqVersion(null), undefined);
    assert.equal(parseBullmqVersion(undefined), undefined);
    assert.equal(parseBullmqVersion(''), undefined);
  });
});

describe('statesForVersion', () => {
  const hasPaused = (raw: string | null) => statesForVersion(parseBullmqVersion(raw)).includes('paused');

  test('BullMQ 6 and later have no "paused" state', () => {
    assert.deepEqual(statesForVersion(parseBullmqVersion('bullmq:6.7.0')), BULLMQ_STATES_V6);
    assert.equal(hasPaused('bullmq:6.0.0'), false);
    assert.equal(hasPaused('bullmq:7.2.0'), false);
  });

  test('BullMQ 5, Pro, unknown and missing versions have it', () => {
    assert.deepEqual(statesForVersion(parseBullmqVersion('bullmq:5.81.5')), BULLMQ_STATES_V5);
    assert.equal(hasPaused('bullmq-pro:7.1.0'), true);
    assert.equal(hasPaused('something-else'), true);
    assert.equal(hasPaused(null), true);
  });

  test('v6 is v5 without "paused"', () => {
    assert.deepEqual([...BULLMQ_STATES_V6], BULLMQ_STATES_V5.filter((s) => s !== 'paused'));
  });

  test('every state has a Redis key: lists for queues of ids, sorted sets for the rest', () => {
    assert.deepEqual(Object.keys(STATE_KEYS).sort(), [...BULLMQ_STATES_V5].sort());
    assert.deepEqual(STATE_KEYS.waiting, { suffix: 'wait', type: 'list' });
    assert.deepEqual(STATE_KEYS.completed, { suffix: 'completed', type: 'zset' });
  });
});

describe('queueNameFromKey', () => {
  const cases: [key: string, prefix: string, suffix: string, name: string | undefined][] = [
    ['bull:emails:meta', 'bull', 'meta', 'emails'],
    ['bull:email-sender.v2:meta', 'bull', 'meta', 'email-sender.v2'],
    ['{bull}:emails:meta', '{bull}', 'meta', 'emails'],
    ['bull:{emails}:meta', 'bull', 'meta', '{emails}'],
    ['myapp:bull:emails:id', 'myapp:bull', 'id', 'emails'],
    ['bull:emails:meta', 'other', 'meta', undefined],
    ['bull:emails:id', 'bull', 'meta', undefined],
    ['bull::meta', 'bull', 'meta', undefined],
    ['bull:meta', 'bull', 'meta', undefined],
    ['bull:emails:123:meta', 'bull', 'meta', undefined], // a job-scoped key, not a queue
    ['bull:emails:repeat:abc:meta', 'bull', 'meta', undefined],
    ['bullx:emails:meta', 'bull', 'meta', undefined],
    ['bull:emails:metadata', 'bull', 'meta', undefined],
  ];
  for (const [key, prefix, suffix, name] of cases) {
    test(`${key} (prefix ${prefix}, suffix ${suffix}) → ${name ?? 'not a queue'}`, () => assert.equal(queueNameFromKey(key, prefix, suffix), name));
  }
});

describe('parseWorkerClients', () => {
  /** A realistic CLIENT LIST: the caller, two named workers, an unnamed worker, QueueEvents, and unrelated clients. */
  function clientList(): string {
    return [
      clientListLine({ id: 3, name: '', cmd: 'client|list' }),
      clientListLine({ id: 5, name: bullmqClientName('emails', { worker: 'mailer-1' }), age: 120, idle: 3, flags: 'b', cmd: 'bzpopmin', addr: '10.0.0.5:40122' }),
      clientListLine({ id: 6, name: bullmqClientName('reports'), age: 60, idle: 0, flags: 'b', cmd: 'bzpopmin' }),
      clientListLine({ id: 7, name: `${bullmqClientName('emails')}:qe`, cmd: 'xread' }),
      clientListLine({ id: 8, name: 'sidekiq:worker-1' }),
      clientListLine({ id: 9, name: 'bullish' }),
      clientListLine({ id: 10, name: bullmqClientName('emails', { prefix: 'other' }) }),
      clientListLine({ id: 11, name: bullmqClientName('m', { worker: 'myworker' }) }),
    ].join('\n') + '\n';
  }

  test('keeps BullMQ worker connections, decodes the queue, and reads the worker name, address, age and idle', () => {
    assert.deepEqual(parseWorkerClients(clientList(), 'bull'), [
      { queue: 'emails', workerName: 'mailer-1', rawName: 'bull:ZW1haWxz:w:mailer-1', addr: '10.0.0.5:40122', ageSeconds: 120, idleSeconds: 3, clientId: '5' },
      { queue: 'reports', workerName: undefined, rawName: 'bull:cmVwb3J0cw==', addr: '127.0.0.1:50006', ageSeconds: 60, idleSeconds: 0, clientId: '6' },
      { queue: 'm', workerName: 'myworker', rawName: 'bull:bQ==:w:myworker', addr: '127.0.0.1:50011', ageSeconds: 12, idleSeconds: 0, clientId: '11' },
    ]);
  });

  test('the measured example from bullmq.md §A.5: bull:bQ==:w:myworker is queue "m", worker "myworker"', () => {
    const [w] = parseWorkerClients(clientListLine({ name: 'bull:bQ==:w:myworker' }), 'bull');
    assert.equal(w?.queue, 'm');
    assert.equal(w?.workerName, 'myworker');
  });

  test('uses the given prefix, including prefixes with colons and hash tags', () => {
    const list = [
      clientListLine({ id: 1, name: bullmqClientName('emails', { prefix: 'myapp:bull' }) }),
      clientListLine({ id: 2, name: bullmqClientName('jobs', { prefix: '{bull}', worker: 'w' }) }),
    ].join('\n');
    assert.deepEqual(parseWorkerClients(list, 'myapp:bull').map((w) => w.queue), ['emails']);
    assert.deepEqual(parseWorkerClients(list, '{bull}').map((w) => [w.queue, w.workerName]), [['jobs', 'w']]);
    assert.deepEqual(parseWorkerClients(list, 'bull'), []);
  });

  test('queue names outside ASCII are decoded as UTF-8', () => {
    const [w] = parseWorkerClients(clientListLine({ name: bullmqClientName('rapports-été-📦') }), 'bull');
    assert.equal(w?.queue, 'rapports-été-📦');
  });

  test('worker names may themselves contain colons', () => {
    const [w] = parseWorkerClients(clientListLine({ name: bullmqClientName('q', { worker: 'host:1234' }) }), 'bull');
    assert.deepEqual([w?.queue, w?.workerName], ['q', 'host:1234']);
  });

  test('names that are not valid base64 or not valid UTF-8 are ignored', () => {
    const list = [
      clientListLine({ id: 1, name: 'bull:not*base64' }),
      clientListLine({ id: 2, name: 'bull:a' }), // base64 of impossible length
      clientListLine({ id: 3, name: 'bull:/w==' }), // decodes to the byte 0xFF: not UTF-8
      clientListLine({ id: 4, name: 'bull:' }),
      clientListLine({ id: 5, name: 'bull::w:x' }),
      clientListLine({ id: 6, name: bullmqClientName('ok') }),
    ].join('\n');
    assert.deepEqual(parseWorkerClients(list, 'bull').map((w) => [w.clientId, w.queue]), [['6', 'ok']]);
  });

  test('non-numeric age and idle become undefined', () => {
    const [w] = parseWorkerClients(clientListLine({ name: bullmqClientName('q'), age: 'soon', idle: '12s' }), 'bull');
    assert.equal(w?.ageSeconds, undefined);
    assert.equal(w?.idleSeconds, undefined);
  });

  test('tolerates CRLF line ends, blank lines and empty output', () => {
    const list = `\r\n${clientListLine({ id: 1, name: bullmqClientName('a') })}\r\n\r\n${clientListLine({ id: 2, name: bullmqClientName('b') })}\r\n`;
    assert.deepEqual(parseWorkerClients(list, 'bull').map((w) => [w.queue, w.rawName]), [['a', 'bull:YQ=='], ['b', 'bull:Yg==']]);
    assert.deepEqual(parseWorkerClients('', 'bull'), []);
  });

  test('the GCP "no CLIENT LIST" placeholder yields no workers', () => {
    assert.deepEqual(parseWorkerClients('name=GCP does not support client list', 'bull'), []);
  });
});
