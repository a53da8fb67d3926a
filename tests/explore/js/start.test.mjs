// start() in core.js: what every explorer does before its view draws, on a stand-in root.
import test from 'node:test';
import assert from 'node:assert/strict';
import {load} from './load.mjs';

const {start, timed} = load(['core.js'], ['start', 'timed']);

function standInRoot() {
  const message = {hidden: false}, body = {style: {display: 'none'}};
  return {message, body, querySelectorAll: (s) => ({'.vt-untrusted': [message], '.vt-body': [body]}[s] || [])};
}

const f32 = (values) => Buffer.from(new Float32Array(values).buffer).toString('base64');
const data = {
  kind: 'map', reference: [{model: 'm', z: [1], pixels: ''}],
  models: {m: {latent_dim: 1, output: 'sigmoid', layers: [{in: 1, out: 1, dtype: 'float32', w: f32([2]), b: f32([0])}]}},
};

test('start hides the "Run this cell" message, shows the body and hands the view its decoders', () => {
  const root = standInRoot();
  let seen = null;
  start(root, data, (r, d, decoders) => { seen = [r, d, decoders]; });
  assert.equal(root.message.hidden, true);
  assert.equal(root.body.style.display, '');
  assert.equal(seen[0], root);
  assert.equal(seen[1], data);
  assert.ok(Math.abs(seen[2].m(new Float32Array([1]))[0] - 1 / (1 + Math.exp(-2))) < 1e-7);
});

test('root.vt is the test hook: decode by model name, the reference, the kind, no renders yet', () => {
  const root = standInRoot();
  start(root, data, () => {});
  assert.equal(root.vt.kind, 'map');
  assert.equal(root.vt.reference, data.reference);
  assert.equal(root.vt.renders, 0);
  assert.ok(Array.isArray(root.vt.decode('m', [0])));
  assert.equal(root.vt.decode('m', [0])[0], 0.5);
});

test('a timed render counts itself and records its duration in ms', () => {
  const root = standInRoot();
  start(root, data, () => {});
  let calls = 0;
  const update = timed(root, () => { calls++; });
  update();
  update();
  assert.equal(calls, 2);
  assert.equal(root.vt.renders, 2);
  assert.equal(root.vt.updateMs.length, 2);
  assert.ok(root.vt.lastUpdateMs >= 0);
});
