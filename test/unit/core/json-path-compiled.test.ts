// Compiled dot paths (src/core/util/json-path.ts `compilePath`, `readString`, `readNumber`): split once per
// mapping, they must read exactly what `getPath` / `getString` / `getNumber` read, for any path and any JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compilePath, getNumber, getPath, getString, readNumber, readString } from '../../../src/core/util/json-path';

test('compiled paths read nested fields, array elements, and no inherited properties', () => {
  const v = JSON.parse('{"a":{"b":[{"c":5},{"c":"x"}],"s":"","n":" 3.5 ","t":true},"__proto__":{"p":1}}') as unknown;
  assert.equal(compilePath('a.b.0.c')(v), 5);
  assert.equal(compilePath('a.b.1.c')(v), 'x');
  assert.equal(compilePath('a.b.x')(v), undefined, 'a non-index segment on an array');
  assert.equal(compilePath('a.b.-1')(v), undefined);
  assert.equal(compilePath('a.constructor')(v), undefined, 'inherited');
  assert.equal(compilePath('a.toString')(v), undefined, 'inherited');
  assert.deepEqual(compilePath('__proto__.p')(v), 1, 'an own "__proto__" key from JSON is data');
  assert.equal(compilePath('a.b.0.c.d')(v), undefined, 'through a number');
  assert.equal(compilePath('')(v), v);
  assert.equal(readString(v, compilePath('a.s')), undefined, 'empty strings are missing');
  assert.equal(readString(v, compilePath('a.t')), 'true');
  assert.equal(readString(v, compilePath('a.b.0.c')), '5');
  assert.equal(readNumber(v, compilePath('a.n')), 3.5);
  assert.equal(readNumber(v, compilePath('a.s')), undefined);
  assert.equal(readString(v, undefined), undefined);
  assert.equal(readNumber(v, undefined), undefined);
});

test('compiled paths agree with getPath, getString and getNumber on random JSON and paths', () => {
  const segment = fc.oneof(fc.constantFrom('a', 'b', '0', '1', '2', '-1', '-0', '01', ' 1', '1e0', '', 'length', 'constructor', '__proto__', 'x.y'), fc.string({ maxLength: 3 }));
  const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('.'));
  const keys = fc.constantFrom('a', 'b', '0', '1', 'length', '__proto__', 'x');
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.double(), fc.integer(), fc.string({ maxLength: 4 }), fc.constantFrom('', ' ', '12', 'NaN'),
      fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(keys, tie('value'), { maxKeys: 3 })),
  })).value.map((v) => JSON.parse(JSON.stringify(v) ?? 'null') as unknown);
  fc.assert(fc.property(json, path, (v, p) => {
    const reader = compilePath(p);
    assert.deepEqual(reader(v), getPath(v, p));
    assert.equal(readString(v, reader), getString(v, p));
    assert.equal(readNumber(v, reader), getNumber(v, p));
  }), { numRuns: 20_000 });
});
