// The beta explorer's functions: the swept codes (core.js, shared with traversal.js) and the beta's label.
import test from 'node:test';
import assert from 'node:assert/strict';
import {load} from './load.mjs';

const {sweepCodes, betaLabel} = load(['core.js', 'sweep.js'], ['sweepCodes', 'betaLabel']);

test('sweepCodes sets one dimension to evenly spaced values and keeps the others', () => {
  const z = Float32Array.from([0.5, -1.25, 2]);
  const codes = sweepCodes(z, 1, 3, 7);
  assert.deepEqual(Array.from(codes, (c) => c[1]), [-3, -2, -1, 0, 1, 2, 3]);  // arrays of this realm
  for (const c of codes) assert.deepEqual([c[0], c[2]], [0.5, 2]);
  assert.equal(z[1], -1.25);  // the gallery's code is not changed in place
});

test('betaLabel names each beta of the sweep by its shortest decimal', () => {
  assert.deepEqual([0.25, 0.5, 1, 2, 4, 8].map(betaLabel),
    ['\u03b2 = 0.25', '\u03b2 = 0.5', '\u03b2 = 1', '\u03b2 = 2', '\u03b2 = 4', '\u03b2 = 8']);
});
