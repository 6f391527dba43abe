// `runCli` argument and config handling, up to the point where it would connect: every path here ends before
// any network access. Config files are tiny temp files; io streams are in-memory collectors.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { EXIT, runCli } from '../../../src/cli/main';
import { aProfileEntry, CollectingStream } from '../../fixtures/builders';

let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'taskscope-cli-unit-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function cli(...argv: string[]) {
  const stdout = new CollectingStream();
  const stderr = new CollectingStream();
  const stdin = Object.assign(new PassThrough(), { isTTY: false });
  const code = await runCli(argv, { stdout: stdout as unknown as NodeJS.WritableStream, stderr: stderr as unknown as NodeJS.WritableStream, stdin });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('runCli: usage', () => {
  test('the exit codes are the documented ones', () => {
    assert.deepEqual(EXIT, { ok: 0, failure: 1, badConfig: 2, unreachable: 3, refused: 4, notDone: 5 });
  });

  for (const flag of ['--help', '-h']) {
    test(`${flag} prints usage on stdout and exits 0`, async () => {
      const r = await cli(flag);
      assert.equal(r.code, EXIT.ok);
      assert.match(r.stdout, /^Usage: taskscope <command> --config <file> \[options\]\n/);
      assert.match(r.stdout, /snapshot {3}Connect every profile/);
      assert.equal(r.stderr, '');
    });
  }

  test('--help wins over a command and other options', async () => {
    const r = await cli('snapshot', '--config', join(dir, 'nope.json'), '--help');
    assert.equal(r.code, EXIT.ok);
    assert.match(r.stdout, /^Usage:/);
  });

  test('no command prints usage on stderr and exits 2', async () => {
    const r = await cli();
    assert.equal(r.code, EXIT.badConfig);
    assert.match(r.stderr, /^Usage: taskscope/);
    assert.equal(r.stdout, '');
  });

  test('an unknown command is named, with usage, exit 2', async () => {
    const r = await cli('frobnicate', '--config', 'x.json');
    assert.equal(r.code, EXIT.badConfig);
    assert.match(r.stderr, /^taskscope: unknown command "frobnicate"\n\nUsage:/);
    assert.equal(r.stdout, '');
  });

  test('an unknown option is named, with usage, exit 2', async () => {
    const r = await cli('snapshot', '--bogus');
    assert.equal(r.code, EXIT.badConfig);
    assert.match(r.stderr, /^taskscope: .*'--bogus'/);
    assert.match(r.stderr, /Usage:/);
  });

  test('--config without a value is exit 2', async () => {
    const r = await cli('snapshot', '--config');
    assert.equal(r.code, EXIT.badConfig);
    assert.match(r.stderr, /^taskscope: .*--config/);
  });

  for (const command of ['snapshot', 'events', 'watch']) {
    test(`${command} without --config is exit 2`, async () => {
      const r = await cli(command);
      assert.equal(r.code, EXIT.badConfig);
      assert.equal(r.stderr, `taskscope ${command}: --config <file> is required\n`);
      assert.equal(r.stdout, '');
    });
  }
});

describe('runCli: numeric options', () => {
  const bad: [string[], string][] = [
    [['snapshot', '--wait', 'soon'], 'taskscope snapshot: --wait must be a number of milliseconds, got "soon"\n'],
    [['snapshot', '--wait=-5'], 'taskscope snapshot: --wait must be a number of milliseconds, got "-5"\n'],
    [['snapshot', '--wait', 'Infinity'], 'taskscope snapshot: --wait must be a number of milliseconds, got "Infinity"\n'],
    [['events', '--duration', '10s'], 'taskscope events: --duration must be a number of milliseconds, got "10s"\n'],
  ];
  for (const [args, message] of bad) {
    test(`${args.join(' ')} is exit 2, checked before the config file is read`, async () => {
      const r = await cli(...args, '--config', join(dir, 'does-not-exist.json'));
      assert.equal(r.code, EXIT.badConfig);
      assert.equal(r.stderr, message);
    });
  }
});

describe('runCli: config file', () => {
  test('a missing file is named with the error code, exit 2', async () => {
    const path = join(dir, 'missing.json');
    const r = await cli('snapshot', '--config', path);
    assert.equal(r.code, EXIT.badConfig);
    assert.equal(r.stderr, `taskscope: cannot read config file ${path}: ENOENT\n`);
  });

  test('invalid JSON is exit 2 with the parser\'s message', async () => {
    const path = configFile('invalid.json', '{ "connections": [ { "id": "a", } ] }');
    const r = await cli('snapshot', '-c', path);
    assert.equal(r.code, EXIT.badConfig);
    assert.match(r.stderr, new RegExp(`^taskscope: config file ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON: .+\n$`));
  });

  for (const [name, content] of [['empty-object.json', '{}'], ['array.json', '[]'], ['null.json', 'null'], ['string.json', '"connections"']] as const) {
    test(`${content} is exit 2: it must be an object with "connections"`, async () => {
      const path = configFile(name, content);
      const r = await cli('watch', '--config', path);
      assert.equal(r.code, EXIT.badConfig);
      assert.equal(r.stderr, `taskscope: config file ${path} must be an object with a "connections" array\n`);
      assert.equal(r.stdout, '');
    });
  }

  test('"connections" that is not an array is reported, then "no usable connection", exit 2', async () => {
    const path = configFile('not-array.json', JSON.stringify({ connections: { id: 'a' } }));
    const r = await cli('snapshot', '--config', path);
    assert.equal(r.code, EXIT.badConfig);
    assert.equal(r.stderr, [
      'taskscope: config: connections: must be an array of connection objects, got object',
      `taskscope: no usable connection in ${path}`,
      '',
    ].join('\n'));
  });

  test('an empty connections array is exit 2: nothing to connect', async () => {
    const path = configFile('empty-list.json', JSON.stringify({ connections: [] }));
    const r = await cli('events', '--config', path);
    assert.equal(r.code, EXIT.badConfig);
    assert.equal(r.stderr, `taskscope: no usable connection in ${path}\n`);
  });

  test('when every connection is invalid, each problem is named by field and the exit is 2', async () => {
    const path = configFile('all-invalid.json', JSON.stringify({
      connections: [
        aProfileEntry({ id: 'a', kind: 'amqp' }),
        aProfileEntry({ id: 'b', system: 'propeller', kind: 'redis' }),
        aProfileEntry({ id: 'c', url: 'http://localhost:6379' }),
        aProfileEntry({ id: 'bad id' }),
      ],
    }));
    const r = await cli('snapshot', '--config', path);
    assert.equal(r.code, EXIT.badConfig);
    assert.deepEqual(r.stderr.trimEnd().split('\n'), [
      'taskscope: config: connections[0].kind (id "a"): Invalid option: expected one of "redis"|"websocket"|"mqtt"|"prometheus"|"logfile"',
      'taskscope: config: connections[1].kind (id "b"): system "propeller" is read over mqtt, not "redis"',
      'taskscope: config: connections[2].url (id "c"): a redis connection needs a redis:// or rediss:// URL, got "http://"',
      'taskscope: config: connections[3].id (id "bad id"): must be 1–64 letters, digits, ".", "_" or "-"',
      `taskscope: no usable connection in ${path}`,
    ]);
    assert.equal(r.stdout, '');
  });
});
