// pynenc/Rustvello layout parsing (shared/reference/protocols.md §3): the three status spellings, status
// records, invocation records, key splitting and heartbeat values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  heartbeatTime, normalizeStatus, parseInvocation, parseStatusRecord, pynencKeyPart, pynencKeys, splitAppKey,
} from '../../../src/sources/redis/pynenc-layout';

test('statuses in all three spellings normalize to pynenc\'s lower_snake; unknown ones are refused', () => {
  for (const s of ['running', 'RUNNING', 'Running']) assert.equal(normalizeStatus(s), 'running');
  for (const s of ['concurrency_controlled_final', 'CONCURRENCY_CONTROLLED_FINAL', 'ConcurrencyControlledFinal']) assert.equal(normalizeStatus(s), 'concurrency_controlled_final');
  assert.equal(normalizeStatus('PendingRecovery'), 'pending_recovery');
  assert.equal(normalizeStatus('resumed'), 'resumed');
  assert.equal(normalizeStatus('exploded'), undefined);
  assert.equal(normalizeStatus(''), undefined);
});

test('status records keep the raw spelling beside the normalized status', () => {
  const r = parseStatusRecord('{"status":"Pending","runner_id":"r1","timestamp":"2026-03-27T10:23:45.123Z"}');
  assert.ok(r.ok);
  assert.deepEqual(r.value, { raw: 'Pending', status: 'pending', runner: 'r1', at: Date.UTC(2026, 2, 27, 10, 23, 45, 123) });
  const py = parseStatusRecord('{"status":"success","runner_id":null,"timestamp":"2026-03-27T10:23:45.123456+00:00"}');
  assert.ok(py.ok && py.value.runner === undefined);
  for (const bad of ['{status', '[]', '{"runner_id":"x"}', '{"status":"nope"}', '{"status":1}']) assert.equal(parseStatusRecord(bad).ok, false, bad);
});

test('invocation records need an invocation_id; optional links may be null', () => {
  const r = parseInvocation(JSON.stringify({ invocation_id: 'i1', task_id_key: 't', parent_invocation_id: null, workflow_id: 'w' }));
  assert.ok(r.ok && r.value.workflow_id === 'w');
  const bad = parseInvocation(JSON.stringify({ task_id_key: 't' }));
  assert.ok(!bad.ok && /invocation_id/.test(bad.problem));
});

test('keys: pynenc escapes brackets and asterisks; app ids are split out of discovered keys', () => {
  assert.equal(pynencKeyPart('app[1]*'), 'app__OPEN_BRACKET__1__CLOSE_BRACKET____ASTERISK__');
  assert.equal(pynencKeys('a').statusSet('running'), '__pynenc__:a:orchestrator:status:running');
  assert.deepEqual(splitAppKey('pynenc', '__pynenc__:my:app:orchestrator:status:running', ':orchestrator:status:'), { app: 'my:app', rest: 'running' });
  assert.equal(splitAppKey('pynenc', '__pynenc__:__pynenc__:orchestrator:status:x', ':orchestrator:status:'), undefined);
  assert.deepEqual(splitAppKey('rustvello', 'rustvello:test_app:broker:global', ':broker:'), { app: 'test_app', rest: 'global' });
  assert.equal(splitAppKey('rustvello', 'rustvello:test_app:broker:', ':broker:'), undefined);
});

test('heartbeats: a pynenc hash, a unix-seconds string, a JSON object; garbage reads as unknown', () => {
  assert.equal(heartbeatTime({ last_heartbeat: '1700000000.25' }), 1700000000250);
  assert.equal(heartbeatTime('1700000000'), 1700000000000);
  assert.equal(heartbeatTime('{"timestamp":"2026-01-01T00:00:00Z"}'), Date.UTC(2026, 0, 1));
  assert.equal(heartbeatTime('soon'), undefined);
  assert.equal(heartbeatTime(null), undefined);
});
