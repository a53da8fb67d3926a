// The codes each view decodes, against Python's vae_teach.analysis.paths on the same inputs:
// lerp and slerp (interpolation.js), one swept dimension (core.js, for traversal.js and sweep.js), class-mean moves
// (arithmetic.js). The JS re-implements these formulas; Python is the oracle.
import test from 'node:test';
import assert from 'node:assert/strict';
import {load, fixture, needsFixture, maxAbsDiff} from './load.mjs';

const interpolation = load(['core.js', 'interpolation.js'], ['lerp', 'slerp', 'pathCodes', 'endsRow']);
const {sweepCodes} = load(['core.js'], ['sweepCodes']);
const {moveCodes} = load(['core.js', 'arithmetic.js'], ['moveCodes']);

const f32 = (values) => Float32Array.from(values);

function assertPath(got, want, message) {
  assert.equal(got.length, want.length, `${message}: number of codes`);
  got.forEach((code, s) => {
    const diff = maxAbsDiff(code, want[s]);
    assert.ok(diff < 1e-5, `${message}: code ${s} differs by ${diff}`);
  });
}

test('lerp and slerp paths match vt.lerp and vt.slerp on the same endpoints', {skip: needsFixture}, () => {
  assert.ok(fixture.paths.length >= 5);
  for (const c of fixture.paths) {
    for (const method of ['linear', 'spherical']) {
      const got = interpolation.pathCodes(f32(c.a), f32(c.b), c.steps, method);
      assertPath(got, method === 'linear' ? c.lerp : c.slerp, `${c.name} ${method}`);
    }
  }
});

test('slerp keeps the norm of equal-norm endpoints all the way', () => {
  const a = f32([3, 0, 4, 0]), b = f32([0, 5, 0, 0]);  // both of norm 5, at right angles
  for (let s = 0; s <= 10; s++) {
    const z = interpolation.slerp(a, b, s / 10);
    assert.ok(Math.abs(Math.hypot(...z) - 5) < 1e-5, `norm at t = ${s / 10}`);
  }
});

test('slerp falls back to the straight line for opposite codes instead of dividing by sin(pi)', () => {
  const z = interpolation.slerp(f32([1, 2]), f32([-1, -2]), 0.25);
  assert.deepEqual(Array.from(z), Array.from(interpolation.lerp(f32([1, 2]), f32([-1, -2]), 0.25)));
});

test('the row of originals puts each test digit above its end of a path, blanks between', () => {
  const a = new Float32Array(784).fill(0.25), b = new Float32Array(784).fill(0.75);
  for (const steps of [3, 8, 12]) {
    const row = interpolation.endsRow(a, b, steps);
    assert.equal(row.length, steps, `one tile per step of the path (${steps})`);
    assert.equal(row[0], a);
    assert.equal(row[steps - 1], b);
    for (const blank of row.slice(1, -1)) assert.deepEqual(Array.from(blank), new Array(784).fill(0));
  }
});

test('sweeping one dimension matches vt.traversal_codes', {skip: needsFixture}, () => {
  for (const c of fixture.sweeps) {
    assertPath(sweepCodes(f32(c.z), c.dim, c.span, c.steps), c.codes, `dim ${c.dim} span ${c.span}`);
  }
});

test('moving along a class-mean difference matches vt.move_along', {skip: needsFixture}, () => {
  for (const c of fixture.moves) {
    assertPath(moveCodes(f32(c.z), f32(c.from), f32(c.to), c.amount, c.steps), c.codes, `amount ${c.amount}`);
  }
});
