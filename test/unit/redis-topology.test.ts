// Redis topology options in the profile schema, and the cluster key → slot function (values from Redis' docs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConnectionProfiles } from '../../src/core/config/connection-profile';
import { keySlot } from '../../src/sources/redis/redis-cluster';
import { clusterOptionsFromProfile, redisOptionsFromProfile } from '../../src/sources/redis/redis-client';

test('keySlot matches CLUSTER KEYSLOT, hash tags included', () => {
  assert.equal(keySlot('somekey'), 11058);
  assert.equal(keySlot('foo{hash_tag}'), 2515);
  assert.equal(keySlot('bull:{q1}:wait'), keySlot('{q1}'));
  assert.equal(keySlot('a{}b'), keySlot('a{}b'), 'empty tag: whole key');
  assert.notEqual(keySlot('a{}b'), keySlot(''));
});

test('cluster and sentinel options are validated and reach ioredis', () => {
  const { profiles, problems } = parseConnectionProfiles([
    { id: 'c', kind: 'redis', system: 'bullmq', url: 'redis://x:1', username: 'ops', cluster: { nodes: ['redis://10.0.0.1:7000', '10.0.0.2:7001'] } },
    { id: 's', kind: 'redis', system: 'bullmq', url: 'redis://x:1', sentinel: { sentinels: ['10.0.0.3:26379'], name: 'mymaster' } },
    { id: 'bad', kind: 'redis', system: 'bullmq', url: 'redis://x:1', cluster: { nodes: [] } },
    { id: 'both', kind: 'redis', system: 'bullmq', url: 'redis://x:1', cluster: { nodes: ['a:1'] }, sentinel: { sentinels: ['b:2'], name: 'm' } },
  ]);
  assert.deepEqual(profiles.map((p) => p.id), ['c', 's']);
  assert.deepEqual(problems.map((p) => p.field), ['connections[2].cluster.nodes', 'connections[3].sentinel']);
  const c = clusterOptionsFromProfile(profiles[0]!)!;
  assert.deepEqual(c.nodes, [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }]);
  assert.equal(c.options.redisOptions?.username, 'ops');
  const s = redisOptionsFromProfile(profiles[1]!);
  assert.deepEqual(s.sentinels, [{ host: '10.0.0.3', port: 26379 }]);
  assert.equal(s.name, 'mymaster');
  assert.equal(clusterOptionsFromProfile(profiles[1]!), undefined);
});
