// Drawing (core.js, map.js): the pixels of a row of digits against a layout numpy computed,
// a canvas resized to fit, and the map's code <-> pixel transform.
import test from 'node:test';
import assert from 'node:assert/strict';
import {load, fixture, needsFixture, float32s} from './load.mjs';

const core = load(['core.js'], ['rowPixels', 'drawRow', 'codeRows']);
const {planeTransform, clampToExtent} = load(['core.js', 'map.js'], ['planeTransform', 'clampToExtent']);

test('a row of digits has numpy\'s grey levels (ink dark on white) and a grey column between digits', {skip: needsFixture}, () => {
  const images = core.codeRows(fixture.row.images, 784);
  const row = core.rowPixels(images);
  const grey = Buffer.from(fixture.row.grey, 'base64');  // (28, 29 n - 1) uint8 from numpy
  assert.equal(row.width, fixture.row.width);
  assert.equal(row.height, 28);
  for (let p = 0; p < grey.length; p++) {
    const [r, g, b, a] = row.rgba.subarray(4 * p, 4 * p + 4);
    if (r !== grey[p] || g !== grey[p] || b !== grey[p] || a !== 255) {
      assert.fail(`pixel (${Math.floor(p / row.width)}, ${p % row.width}): rgba ${[r, g, b, a]}, numpy grey ${grey[p]}`);
    }
  }
});

test('drawRow resizes the canvas to the row and puts the row\'s pixels at (0, 0)', () => {
  const put = [];
  const context = {
    createImageData: (w, h) => ({width: w, height: h, data: new Uint8ClampedArray(4 * w * h)}),
    putImageData: (image, x, y) => put.push([image, x, y]),
  };
  const canvas = {width: 300, height: 150, getContext: () => context};
  const images = [new Float32Array(784).fill(1), new Float32Array(784).fill(0.5)];
  core.drawRow(canvas, images);
  assert.equal(canvas.width, 2 * 29 - 1);
  assert.equal(canvas.height, 28);
  assert.equal(put.length, 1);
  assert.deepEqual(put[0].slice(1), [0, 0]);
  // (arrays made inside the vm context have that context's prototypes: compare as plain arrays)
  assert.deepEqual(Array.from(put[0][0].data), Array.from(core.rowPixels(images).rgba));
});

test('the map\'s transform sends codes to pixels and back, with z[1] growing upwards', {skip: needsFixture}, () => {
  const {extent, size} = fixture.plane;
  const box = planeTransform(extent, size);
  const [left, bottom] = box.toPixel(extent[0], extent[2]);
  const [right, top] = box.toPixel(extent[1], extent[3]);
  assert.ok(left < right && top < bottom, 'z[0] grows to the right and z[1] upwards');
  assert.ok(left >= 0 && right <= size && top >= 0 && bottom <= size, 'the extent fits on the canvas');
  for (const code of fixture.plane.codes) {
    const back = box.toCode(...box.toPixel(code[0], code[1]));
    assert.ok(Math.abs(back[0] - code[0]) < 1e-9 && Math.abs(back[1] - code[1]) < 1e-9, `${code} came back as ${back}`);
  }
});

test('a point outside the extent is clamped onto its edge', () => {
  assert.deepEqual(Array.from(clampToExtent([-5, 0.5], [-1, 1, -2, 2])), [-1, 0.5]);
  assert.deepEqual(Array.from(clampToExtent([0, 9], [-1, 1, -2, 2])), [0, 2]);
});

test('float32 codes are read as rows of latent_dim numbers', () => {
  const base64 = Buffer.from(new Float32Array([1, 2, 3, 4, 5, 6]).buffer).toString('base64');
  assert.deepEqual(Array.from(core.codeRows(base64, 3), (row) => Array.from(row)), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(Array.from(float32s(base64)), [1, 2, 3, 4, 5, 6]);
});

test('axis ticks are round numbers, 0 among them whenever the axis crosses it', () => {
  const {niceTicks} = load(['core.js'], ['niceTicks']);
  assert.deepEqual(Array.from(niceTicks(-2.37, 3.1, 5)), [-2, 0, 2]);
  assert.deepEqual(Array.from(niceTicks(-0.8, 0.9, 5)), [-0.5, 0, 0.5]);
  assert.deepEqual(Array.from(niceTicks(0.3, 4.2, 4)), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(niceTicks(-0.32, 0.12, 5)), [-0.3, -0.2, -0.1, 0, 0.1]);  // not -0.30000000000000004
  for (let i = 0; i < 200; i++) {
    const lo = -Math.random() * 10, hi = Math.random() * 10;
    const ticks = Array.from(niceTicks(lo, hi, 5));
    assert.ok(ticks.includes(0), `${lo}..${hi}: ${ticks}`);
    assert.ok(ticks.length >= 2 && ticks.every((t) => t >= lo && t <= hi), `${lo}..${hi}: ${ticks}`);
  }
});

test('each digit is named at the median of its codes', () => {
  const {classMedians} = load(['core.js', 'map.js'], ['classMedians']);
  const codes = [[0, 0], [2, 10], [1, 4], [5, 5], [7, 9]];
  const labels = new Uint8Array([3, 3, 3, 8, 8]);
  const medians = Array.from(classMedians(codes, labels), ([k, at]) => [k, Array.from(at)]);
  assert.deepEqual(medians, [[3, [1, 4]], [8, [6, 7]]]);
});

test('the prior\'s circles have their radius in code units on each axis, centred on z = 0', () => {
  const {planeTransform: transform, priorCircles} = load(['core.js', 'map.js'], ['planeTransform', 'priorCircles']);
  const extent = [-3, 5, -2, 2];  // 8 units across, 4 up: the two axes have different scales
  const box = transform(extent, 360);
  const perUnit = [(box.right - box.left) / 8, (box.bottom - box.top) / 4];
  const circles = priorCircles(box, [1, 2]);
  assert.deepEqual(circles.map((c) => c.radius), [1, 2]);
  for (const c of circles) {
    assert.ok(Math.abs(c.cx - (box.left + 3 * perUnit[0])) < 1e-9 && Math.abs(c.cy - (box.bottom - 2 * perUnit[1])) < 1e-9);
    assert.ok(Math.abs(c.rx - c.radius * perUnit[0]) < 1e-9 && Math.abs(c.ry - c.radius * perUnit[1]) < 1e-9, JSON.stringify(c));
  }
});
