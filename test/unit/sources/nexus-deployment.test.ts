// Several connections to one Nexus deployment (profile option `nexusDeployment`): one shared DedupSet, and every
// event mapped by one owner — the connected member of lowest rank (Redis before WebSocket), then lowest id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinNexusDeployment, nexusDeploymentDedup, nexusDeploymentName } from '../../../src/sources/nexus/nexus-deployment';
import type { NexusEvent } from '../../../src/sources/nexus/nexus-events';

function member(connectionId: string, rank: number) {
  const got: string[] = [];
  return { got, m: { connectionId, rank, deliver: (e: NexusEvent) => { got.push(e.event_id ?? ''); } } };
}
const event = (id: string): NexusEvent => ({ event_id: id, event_type: 'worker_heartbeat', worker_id: 1 });

test('the option is read from the profile options; blank or non-text means none', () => {
  assert.equal(nexusDeploymentName({ nexusDeployment: ' prod ' }), 'prod');
  assert.equal(nexusDeploymentName({ nexusDeployment: '  ' }), undefined);
  assert.equal(nexusDeploymentName({ nexusDeployment: 3 }), undefined);
  assert.equal(nexusDeploymentName({}), undefined);
});

test('events go to the owner; ownership passes on when it leaves and comes back when it rejoins', () => {
  const ws = member('b-ws', 1);
  const ws2 = member('a-ws', 1);
  const rd = member('z-redis', 0);
  const mws = joinNexusDeployment('unit-1', ws.m);
  const mws2 = joinNexusDeployment('unit-1', ws2.m);
  assert.equal(mws.dedup, mws2.dedup, 'one DedupSet per deployment');
  assert.equal(nexusDeploymentDedup('unit-1'), mws.dedup);
  assert.notEqual(nexusDeploymentDedup('unit-other'), mws.dedup);
  mws.route(event('1'), '');
  assert.deepEqual([ws.got, ws2.got], [[], ['1']], 'same rank: lowest id owns');
  let mrd = joinNexusDeployment('unit-1', rd.m);
  mws.route(event('2'), '');
  mws2.route(event('3'), '');
  assert.deepEqual(rd.got, ['2', '3'], 'the Redis member owns');
  assert.ok(mrd.owns() && !mws.owns());
  mrd.leave();
  assert.equal(mrd.route(event('x'), ''), false, 'a member that left maps for itself');
  mws.route(event('4'), '');
  assert.deepEqual(ws2.got, ['1', '4'], 'failover to the next member');
  mrd = joinNexusDeployment('unit-1', rd.m);
  mws.route(event('5'), '');
  assert.deepEqual(rd.got, ['2', '3', '5']);
  for (const m of [mrd, mws, mws2]) m.leave();
  assert.equal(nexusDeploymentDedup('unit-1'), mws.dedup, 'the DedupSet outlives memberships');
});
