// `--listen <duration>` parsing and its default by profile kind; and the CLI refusing a bad value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { defaultListenMs, parseDuration, PUSH_LISTEN_MS } from '../../../src/cli/listen-duration';
import { EXIT, runCli } from '../../../src/cli/main';
import { CollectingStream } from '../../fixtures/builders';

test('durations: units ms, s, m; a bare number is milliseconds', () => {
  assert.equal(parseDuration('3s', 'listen'), 3_000);
  assert.equal(parseDuration('1.5s', 'listen'), 1_500);
  assert.equal(parseDuration('500ms', 'listen'), 500);
  assert.equal(parseDuration('2m', 'listen'), 120_000);
  assert.equal(parseDuration('250', 'listen'), 250);
  assert.equal(parseDuration('0', 'listen'), 0);
  assert.equal(parseDuration(' 4s ', 'listen'), 4_000);
});

test('durations: anything else names the option and the value', () => {
  for (const bad of ['', 's', '-1s', '3 h', '3h', 'abc', '1e3', '3sec']) {
    assert.match(String(parseDuration(bad, 'listen')), new RegExp(`^--listen must be a duration .*"${bad.replace(/[-]/g, '\\-')}"$`), bad);
  }
  assert.match(String(parseDuration('1441m', 'listen')), /longer than a day/);
});

test('default: 3 s when any profile is MQTT or WebSocket, 0 for Redis, Prometheus and log files only', () => {
  assert.equal(PUSH_LISTEN_MS, 3_000);
  assert.equal(defaultListenMs([{ kind: 'redis' }]), 0);
  assert.equal(defaultListenMs([{ kind: 'redis' }, { kind: 'prometheus' }, { kind: 'logfile' }]), 0);
  assert.equal(defaultListenMs([{ kind: 'redis' }, { kind: 'mqtt' }]), 3_000);
  assert.equal(defaultListenMs([{ kind: 'websocket' }]), 3_000);
  assert.equal(defaultListenMs([]), 0);
});

async function cli(...argv: string[]) {
  const stdout = new CollectingStream();
  const stderr = new CollectingStream();
  const code = await runCli(argv, { stdout: stdout as unknown as NodeJS.WritableStream, stderr: stderr as unknown as NodeJS.WritableStream, stdin: Object.assign(new PassThrough(), { isTTY: false }) });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

test('the CLI refuses a bad --listen and --listen on other commands, before reading the config', async () => {
  const bad = await cli('snapshot', '--config', '/nonexistent.json', '--listen', 'soon');
  assert.equal(bad.code, EXIT.badConfig);
  assert.equal(bad.stderr, 'taskscope snapshot: --listen must be a duration such as 3s, 500ms or 2m, got "soon"\n');
  const other = await cli('events', '--config', '/nonexistent.json', '--listen', '3s');
  assert.equal(other.code, EXIT.badConfig);
  assert.match(other.stderr, /--listen applies to snapshot only/);
  const help = await cli('--help');
  assert.match(help.stdout, /--listen <dur> {4}then keep collecting pushed events this long/);
});
