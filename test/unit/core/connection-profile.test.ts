// Connection profiles: every valid system/kind pairing, per-field problems for bad entries (which never stop
// the good ones), duplicate ids, URL schemes per kind, defaults, and unknown fields kept in `options`.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatProblem, KINDS_BY_SYSTEM, parseConnectionProfiles, type ConnectionProfile } from '../../../src/core/config/connection-profile';
import { CONNECTION_KINDS, SYSTEMS, type ConnectionKind } from '../../../src/core/model/connection';
import { aProfileEntry } from '../../fixtures/builders';

/** A URL each kind accepts. */
const URL_FOR: Record<ConnectionKind, string> = {
  redis: 'redis://localhost:6379/0',
  websocket: 'ws://localhost:8080/events',
  mqtt: 'mqtt://broker.local:1883',
  prometheus: 'http://localhost:9090/metrics',
  logfile: '/var/log/pynenc/runner.log',
};

const fields = (raw: unknown) => parseConnectionProfiles(raw).problems.map((p) => p.field);

describe('parseConnectionProfiles: valid profiles', () => {
  for (const system of SYSTEMS) {
    for (const kind of KINDS_BY_SYSTEM[system]) {
      test(`${system} over ${kind}`, () => {
        const { profiles, problems } = parseConnectionProfiles([aProfileEntry({ id: `${system}-${kind}`, system, kind, url: URL_FOR[kind] })]);
        assert.deepEqual(problems, []);
        assert.deepEqual(profiles, [{
          id: `${system}-${kind}`, name: `${system}-${kind}`, kind, system, url: URL_FOR[kind], readOnly: false, enabled: true,
          prefix: undefined, username: undefined, password: undefined, token: undefined, tls: undefined, pollIntervalMs: undefined, options: {},
        } satisfies ConnectionProfile]);
      });
    }
  }

  test('KINDS_BY_SYSTEM names only known kinds, and every system has at least one', () => {
    for (const system of SYSTEMS) {
      assert.ok(KINDS_BY_SYSTEM[system].length > 0, system);
      for (const kind of KINDS_BY_SYSTEM[system]) assert.ok((CONNECTION_KINDS as readonly string[]).includes(kind), `${system}: ${kind}`);
    }
  });

  test('every optional field is carried over as given', () => {
    const [profile] = parseConnectionProfiles([aProfileEntry({
      id: 'prod.eu-1', name: 'Production EU', url: 'rediss://redis.example.com:6380', readOnly: true, enabled: false, prefix: '{bull}',
      username: 'monitor', password: 's3cret', token: 't0k', tls: { caFile: '/etc/ca.pem', rejectUnauthorized: false }, pollIntervalMs: 2_000,
    })]).profiles;
    assert.deepEqual(profile, {
      id: 'prod.eu-1', name: 'Production EU', kind: 'redis', system: 'bullmq', url: 'rediss://redis.example.com:6380', readOnly: true, enabled: false,
      prefix: '{bull}', username: 'monitor', password: 's3cret', token: 't0k', tls: { caFile: '/etc/ca.pem', rejectUnauthorized: false },
      pollIntervalMs: 2_000, options: {},
    });
  });

  test('defaults: name is the id, readOnly false, enabled true', () => {
    const [p] = parseConnectionProfiles([aProfileEntry({ id: 'x' })]).profiles;
    assert.equal(p?.name, 'x');
    assert.equal(p?.readOnly, false);
    assert.equal(p?.enabled, true);
  });

  test('unknown extra fields are kept in options, known ones are not', () => {
    const [p] = parseConnectionProfiles([aProfileEntry({ queues: ['emails', 'reports'], db: 2, nested: { a: 1 } })]).profiles;
    assert.deepEqual(p?.options, { queues: ['emails', 'reports'], db: 2, nested: { a: 1 } });
  });

  test('nexusDeployment is validated (trimmed, non-empty) and travels in options', () => {
    const parsed = parseConnectionProfiles([
      aProfileEntry({ id: 'a', system: 'nexus', nexusDeployment: ' prod ' }),
      aProfileEntry({ id: 'b', system: 'nexus', nexusDeployment: '  ' }),
    ]);
    assert.deepEqual(parsed.profiles.map((p) => [p.id, p.options['nexusDeployment']]), [['a', 'prod']]);
    assert.deepEqual(parsed.problems.map((p) => p.field), ['connections[1].nexusDeployment']);
  });

  test('a generic Redis pub/sub profile keeps its channel patterns and mapping in options', () => {
    const [p] = parseConnectionProfiles([aProfileEntry({ kind: 'redis', system: 'generic', url: 'redis://h', channels: ['jobs:*'], mapping: { taskId: 'id' } })]).profiles;
    assert.deepEqual(p?.options, { channels: ['jobs:*'], mapping: { taskId: 'id' } });
  });

  const accepted: [ConnectionKind, string][] = [
    ['redis', 'rediss://h:6380'], ['websocket', 'wss://h/ws'], ['mqtt', 'mqtts://h:8883'], ['mqtt', 'ws://h:9001/mqtt'],
    ['mqtt', 'wss://h/mqtt'], ['mqtt', 'tcp://h:1883'], ['prometheus', 'https://h/metrics'], ['logfile', 'file:///var/log/x.log'],
    ['logfile', 'logs/*.log'], ['logfile', 'C:\\logs\\runner.log'],
  ];
  for (const [kind, url] of accepted) {
    test(`a ${kind} connection accepts ${url}`, () => {
      assert.deepEqual(parseConnectionProfiles([aProfileEntry({ system: 'generic', kind, url })]).problems, []);
    });
  }

  test('undefined and null mean "no connections", without a problem', () => {
    assert.deepEqual(parseConnectionProfiles(undefined), { profiles: [], problems: [] });
    assert.deepEqual(parseConnectionProfiles(null), { profiles: [], problems: [] });
    assert.deepEqual(parseConnectionProfiles([]), { profiles: [], problems: [] });
  });
});

describe('parseConnectionProfiles: problems name the exact field', () => {
  test('a non-array value is one problem on the label itself', () => {
    for (const [raw, got] of [[{}, 'object'], ['redis://x', 'string'], [3, 'number'], [true, 'boolean']] as const) {
      assert.deepEqual(parseConnectionProfiles(raw, 'taskscope.connections'), {
        profiles: [],
        problems: [{ index: -1, field: 'taskscope.connections', message: `must be an array of connection objects, got ${got}` }],
      });
    }
  });

  test('bad entries are reported by index and field while the good ones around them are kept', () => {
    const result = parseConnectionProfiles([
      aProfileEntry({ id: 'ok-1' }),
      aProfileEntry({ id: 'ok-2', url: 'redis://other:6379' }),
      aProfileEntry({ id: 'bad-kind', kind: 'amqp' }),
      aProfileEntry({ id: 'ok-3' }),
      aProfileEntry({ id: 'bad-url', url: '' }),
      aProfileEntry({ id: 'bad id with spaces' }),
    ]);
    assert.deepEqual(result.profiles.map((p) => p.id), ['ok-1', 'ok-2', 'ok-3']);
    assert.deepEqual(result.problems.map((p) => [p.index, p.id, p.field]), [
      [2, 'bad-kind', 'connections[2].kind'],
      [4, 'bad-url', 'connections[4].url'],
      [5, 'bad id with spaces', 'connections[5].id'],
    ]);
  });

  test('missing required fields are each named', () => {
    assert.deepEqual(fields([{}]), ['connections[0].id', 'connections[0].kind', 'connections[0].system', 'connections[0].url']);
  });

  test('an entry that is not an object is reported at its index', () => {
    const { problems } = parseConnectionProfiles(['redis://localhost', null, 7]);
    assert.deepEqual(problems.map((p) => [p.field, p.id]), [['connections[0]', undefined], ['connections[1]', undefined], ['connections[2]', undefined]]);
    assert.match(problems[0]?.message ?? '', /expected object, received string/);
  });

  const badFields: [string, Record<string, unknown>, string][] = [
    ['id too long', { id: 'a'.repeat(65) }, 'connections[0].id'],
    ['id starting with "-"', { id: '-x' }, 'connections[0].id'],
    ['id not a string', { id: 7 }, 'connections[0].id'],
    ['unknown system', { system: 'celery' }, 'connections[0].system'],
    ['empty name', { name: '' }, 'connections[0].name'],
    ['readOnly not a boolean', { readOnly: 'yes' }, 'connections[0].readOnly'],
    ['enabled not a boolean', { enabled: 1 }, 'connections[0].enabled'],
    ['empty prefix', { prefix: '' }, 'connections[0].prefix'],
    ['tls.caFile empty', { tls: { caFile: '' } }, 'connections[0].tls.caFile'],
    ['tls.rejectUnauthorized not a boolean', { tls: { rejectUnauthorized: 'no' } }, 'connections[0].tls.rejectUnauthorized'],
    ['pollIntervalMs below 500', { pollIntervalMs: 499 }, 'connections[0].pollIntervalMs'],
    ['pollIntervalMs above an hour', { pollIntervalMs: 3_600_001 }, 'connections[0].pollIntervalMs'],
    ['pollIntervalMs fractional', { pollIntervalMs: 1_000.5 }, 'connections[0].pollIntervalMs'],
  ];
  for (const [what, overrides, field] of badFields) {
    test(`${what} → ${field}`, () => assert.deepEqual(fields([aProfileEntry(overrides)]), [field]));
  }

  test('the id is accepted at both ends of its length range', () => {
    assert.deepEqual(fields([aProfileEntry({ id: 'a' }), aProfileEntry({ id: `A${'b'.repeat(63)}` })]), []);
  });

  test('a system read over the wrong transport names kind and the transports it speaks', () => {
    const { profiles, problems } = parseConnectionProfiles([
      aProfileEntry({ id: 'p', system: 'propeller', kind: 'redis', url: 'redis://h' }),
      aProfileEntry({ id: 'n', system: 'nexus', kind: 'mqtt', url: 'mqtt://h' }),
    ]);
    assert.deepEqual(profiles, []);
    assert.deepEqual(problems, [
      { index: 0, id: 'p', field: 'connections[0].kind', message: 'system "propeller" is read over mqtt, not "redis"' },
      { index: 1, id: 'n', field: 'connections[1].kind', message: 'system "nexus" is read over redis or websocket, not "mqtt"' },
    ]);
  });

  const wrongScheme: [ConnectionKind, string, string][] = [
    ['redis', 'http://localhost:6379', 'a redis connection needs a redis:// or rediss:// URL, got "http://"'],
    ['websocket', 'http://h/ws', 'a websocket connection needs a ws:// or wss:// URL, got "http://"'],
    ['mqtt', 'redis://h', 'a mqtt connection needs a mqtt:// or mqtts:// or ws:// or wss:// or tcp:// URL, got "redis://"'],
    ['prometheus', 'ws://h/metrics', 'a prometheus connection needs a http:// or https:// URL, got "ws://"'],
    ['logfile', 'http://h/log.txt', 'a logfile connection needs a file:// URL, got "http://"'],
  ];
  for (const [kind, url, message] of wrongScheme) {
    test(`a ${kind} connection with ${url} is rejected on .url`, () => {
      assert.deepEqual(parseConnectionProfiles([aProfileEntry({ id: 'x', system: 'generic', kind, url })]).problems, [{ index: 0, id: 'x', field: 'connections[0].url', message }]);
    });
  }

  test('a URL that does not parse is rejected on .url', () => {
    assert.deepEqual(parseConnectionProfiles([aProfileEntry({ id: 'x', url: 'redis://localhost:99999' }), aProfileEntry({ id: 'y', url: 'no scheme' })]).problems, [
      { index: 0, id: 'x', field: 'connections[0].url', message: '"redis://localhost:99999" is not a valid URL' },
      { index: 1, id: 'y', field: 'connections[1].url', message: '"no scheme" is not a valid URL' },
    ]);
  });

  test('host:port without a scheme is rejected on .url (the host reads as a scheme)', () => {
    assert.deepEqual(fields([aProfileEntry({ url: 'localhost:6379' })]), ['connections[0].url']);
  });

  test('a duplicate id is reported on the later entry; the first is used', () => {
    const { profiles, problems } = parseConnectionProfiles([
      aProfileEntry({ id: 'prod', url: 'redis://first' }),
      aProfileEntry({ id: 'other' }),
      aProfileEntry({ id: 'prod', url: 'redis://second' }),
    ]);
    assert.deepEqual(profiles.map((p) => [p.id, p.url]), [['prod', 'redis://first'], ['other', 'redis://localhost:6379']]);
    assert.deepEqual(problems, [{ index: 2, id: 'prod', field: 'connections[2].id', message: 'duplicate id "prod"; the first entry with this id is used' }]);
  });

  test('an invalid entry does not claim its id, so a later valid entry with that id is used', () => {
    const { profiles, problems } = parseConnectionProfiles([aProfileEntry({ id: 'prod', kind: 'bogus' }), aProfileEntry({ id: 'prod' })]);
    assert.deepEqual(profiles.map((p) => p.id), ['prod']);
    assert.deepEqual(problems.map((p) => p.field), ['connections[0].kind']);
  });

  test('the label is used in field paths', () => {
    assert.deepEqual(parseConnectionProfiles([{ id: 'x' }], 'taskscope.connections').problems.map((p) => p.field),
      ['taskscope.connections[0].kind', 'taskscope.connections[0].system', 'taskscope.connections[0].url']);
  });
});

describe('formatProblem', () => {
  test('names the field, the id when known, and the message', () => {
    assert.equal(formatProblem({ index: 2, id: 'prod', field: 'connections[2].kind', message: 'bad' }), 'connections[2].kind (id "prod"): bad');
    assert.equal(formatProblem({ index: 1, field: 'connections[1]', message: 'expected object' }), 'connections[1]: expected object');
  });
});
