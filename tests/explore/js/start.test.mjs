// start() in core.js: what every explorer does before its view draws, on a stand-in root.
import test from 'node:test';
import assert from 'node:assert/strict';
import {load} from './load.mjs';

const {start, timed, keepControlKeys} = load(['core.js'], ['start', 'timed', 'keepControlKeys']);

function standInRoot() {
  const message = {hidden: false}, body = {style: {display: 'none'}}, listeners = {};
  return {
    message, body, listeners,
    querySelectorAll: (s) => ({'.vt-untrusted': [message], '.vt-body': [body]}[s] || []),
    addEventListener: (type, listener) => { (listeners[type] = listeners[type] || []).push(listener); },
  };
}

/** Send a keydown to the stand-in root's listeners; true if one stopped its propagation. */
function stopped(root, init) {
  let stop = false;
  const event = {ctrlKey: false, altKey: false, metaKey: false, ...init, stopPropagation: () => { stop = true; }};
  for (const listener of root.listeners.keydown || []) listener(event);
  return stop;
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

test('keys that work a control stop at the explorer; notebook shortcuts go on', () => {
  const root = standInRoot();
  keepControlKeys(root);
  for (const key of ['ArrowLeft', 'ArrowUp', 'Home', 'PageDown', ' ', 'a', 'd', '7']) {
    assert.equal(stopped(root, {key}), true, key);
  }
  assert.equal(stopped(root, {key: 'Escape'}), false);
  assert.equal(stopped(root, {key: 'Tab'}), false);
  assert.equal(stopped(root, {key: 'Enter', shiftKey: true}), false);
  assert.equal(stopped(root, {key: 's', ctrlKey: true}), false);
});
