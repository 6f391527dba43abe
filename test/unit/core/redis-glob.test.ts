// Redis glob semantics on the client (util.c stringmatchlen) and the one-walk classifier built on them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRedisGlob, escapeRedisGlob, globLiteralPrefix, scanMatchFor } from '../../../src/core/redis/redis-glob';
import { KeyWalkClassifier } from '../../../src/core/redis/key-walk';

function check(pattern: string, yes: readonly string[], no: readonly string[]): void {
  const m = compileRedisGlob(pattern);
  for (const k of yes) assert.equal(m(k), true, `${pattern} should match ${JSON.stringify(k)}`);
  for (const k of no) assert.equal(m(k), false, `${pattern} should not match ${JSON.stringify(k)}`);
}

test('literals, * and ?', () => {
  check('abc', ['abc'], ['ab', 'abcd', 'xabc', '']);
  check('', [''], ['a']);
  check('*', ['', 'a', 'a:b:c'], []);
  check('a*', ['a', 'abc', 'a:*'], ['', 'ba']);
  check('*c', ['c', 'abc'], ['ca', '']);
  check('a**b', ['ab', 'axxb'], ['a', 'ba']);
  check('a?c', ['abc', 'a:c'], ['ac', 'abbc']);
  check('??', ['ab'], ['a', 'abc']);
  check('nexus:task:*:status', ['nexus:task:1:status', 'nexus:task:a:b:status', 'nexus:task::status'], ['nexus:task:1:data', 'nexus:task:1:status:x', 'nexus:tasks:status']);
  check('*a*b*c*', ['abc', 'xxaxxbxxcxx', 'aabbcc'], ['acb', 'ab', 'cba']);
  check('a*b*c', ['abc', 'abbbc', 'abcbc'], ['abcb', 'acb']);
});

test('character classes: sets, ranges (reversed ones swapped), ^ negation, escapes, odd edges', () => {
  check('[abc]x', ['ax', 'cx'], ['dx', 'x', 'abx']);
  check('[^abc]x', ['dx', ':x'], ['ax', 'x']);
  check('[a-c]', ['a', 'b', 'c'], ['d', '-', '']);
  check('[c-a]', ['a', 'b', 'c'], ['d']);
  check('[a\\-z]', ['a', '-', 'z'], ['b']);
  check('[\\]]', [']'], ['\\', 'a']);
  check('[\\^a]', ['^', 'a'], ['b']);
  check('hero:[jw]*', ['hero:job:1', 'hero:work_queue:x'], ['hero:stop_queue:x', 'hero:']);
  // `[]` is an empty class (matches nothing); `[^]` matches any one character.
  check('[]x', [], ['x', ']x', 'ax']);
  check('[^]x', ['ax', ']x'], ['x']);
  // An unclosed class ends at the end of the pattern.
  check('a[bc', ['ab', 'ac'], ['a', 'abc', 'a[bc']);
  // `[a-]`: Redis reads `-]` as a range end, so `a-]` is the range ] .. a and the class is unclosed.
  check('[a-]', [']', '^', '_', '`', 'a'], ['b', '-']);
});

test('backslash escapes outside classes; a trailing backslash is literal', () => {
  check('a\\*b', ['a*b'], ['axb', 'ab']);
  check('a\\?', ['a?'], ['ab']);
  check('\\[x\\]', ['[x]'], ['x']);
  check('a\\\\b', ['a\\b'], ['ab']);
  check('ab\\', ['ab\\'], ['ab']);
  check('\\a', ['a'], ['\\a']);
});

test('escapeRedisGlob makes any text match only itself', () => {
  for (const text of ['plain', 'a*b', 'x?y', '[z]', 'back\\slash', 'h{tag}', '']) {
    const pattern = escapeRedisGlob(text);
    check(pattern, [text], [`${text}x`, `x${text}`]);
    assert.equal(globLiteralPrefix(pattern), text);
    assert.equal(globLiteralPrefix(`${pattern}*tail`), text);
  }
  assert.equal(globLiteralPrefix('rhai_tasks:*'), 'rhai_tasks:');
  assert.equal(globLiteralPrefix('a?b'), 'a');
  assert.equal(globLiteralPrefix('[ab]'), '');
});

test('scanMatchFor: the pattern itself, the common prefix with position classes, or no MATCH', () => {
  assert.equal(scanMatchFor(['nexus:task:*:status']), 'nexus:task:*:status');
  assert.equal(scanMatchFor(['rustvello:*:orch:status:*', 'rustvello:*:orch:heartbeat:*', 'rustvello:*:broker:*']), 'rustvello:*');
  assert.equal(scanMatchFor(['rhai_task_details:*', 'rhai_tasks:*', 'hero:job:*', 'hero:work_queue:*']), '[hr][eh][ar][io][:_][jtw][ao][brs][:k]*');
  assert.equal(scanMatchFor(['nexus:task:*:status', 'nexus:task_group:*', 'nexus:worker:heartbeat:*']), 'nexus:[tw][ao][rs]k[:_e]*');
  assert.equal(scanMatchFor(['a\\*x:*', 'a\\*y:*']), 'a\\*[xy]:*');
  assert.equal(scanMatchFor(['a]:*', 'a-:*', 'a^:*', 'a\\\\:*']), 'a[\\-\\\\\\]\\^]:*');
  check('a[\\-\\\\\\]\\^]:*', ['a]:1', 'a-:1', 'a^:1', 'a\\:1'], ['a:1', 'ab:1']);
  assert.equal(scanMatchFor(['*:status', 'nexus:*']), undefined);
  assert.equal(scanMatchFor([]), undefined);
});

test('scanMatchFor never filters out a key one of the patterns matches', () => {
  const patterns = ['rhai_task_details:*', 'rhai_tasks:*', 'hero:job:*', 'hero:work_queue:*', 'h]^-\\\\:*'];
  const match = compileRedisGlob(scanMatchFor(patterns)!);
  const keys = ['rhai_task_details:1', 'rhai_tasks:c', 'hero:job:j', 'hero:work_queue:w', 'h]^-\\:z', 'cache:user:1', 'hero:stop:x', 'rhai_reply:1'];
  const each = patterns.map(compileRedisGlob);
  for (const key of keys) if (each.some((m) => m(key))) assert.ok(match(key), key);
  assert.equal(match('cache:user:1'), false);
  assert.equal(match('session:1'), false);
});

test('KeyWalkClassifier: one key to every pattern it matches, duplicates once, a cap and a partial flag per pattern', () => {
  const c = new KeyWalkClassifier({
    tasks: { pattern: 'hero:job:*', maxKeys: 2 },
    queues: { pattern: 'hero:work_queue:*', maxKeys: 10 },
    any: { pattern: 'hero:*', maxKeys: 100 },
  });
  assert.equal(c.match, 'hero:*');
  assert.equal(c.add(['hero:job:1', 'hero:job:1', 'cache:x', 'hero:work_queue:a', 'hero:job:2']), true);
  assert.equal(c.add(['hero:job:2', 'hero:job:3', 'hero:work_queue:b']), true);
  const r = c.result(true);
  assert.deepEqual(r.tasks, { keys: ['hero:job:1', 'hero:job:2'], partial: true });
  assert.deepEqual(r.queues, { keys: ['hero:work_queue:a', 'hero:work_queue:b'], partial: false });
  assert.deepEqual(r.any.keys, ['hero:job:1', 'hero:work_queue:a', 'hero:job:2', 'hero:job:3', 'hero:work_queue:b']);
  assert.equal(r.any.partial, false);
});

test('KeyWalkClassifier: exactly at the cap is not partial after a full walk; the walk may stop once every pattern is full', () => {
  const full = new KeyWalkClassifier({ a: { pattern: 'a:*', maxKeys: 1 }, b: { pattern: 'b:*', maxKeys: 1 } });
  assert.equal(full.add(['a:1']), true);
  assert.deepEqual(full.result(true), { a: { keys: ['a:1'], partial: false }, b: { keys: [], partial: false } });
  assert.equal(full.add(['b:1']), false);
  // Stopped before the end: a full pattern may have more keys further on.
  assert.deepEqual(full.result(false), { a: { keys: ['a:1'], partial: true }, b: { keys: ['b:1'], partial: true } });
});
