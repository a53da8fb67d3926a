// The draw explorer's arithmetic (draw.js) against torch: vt.quadrature_elbo of the test digits
// the page carries, and the brush against a brute-force oracle. The fixture (VT_JS_FIXTURE) is the
// page's own data for chapter 5's vae-2d-h200, written by tests/explore/test_draw.py.
import test from 'node:test';
import assert from 'node:assert/strict';
import {load, fixture, needsFixture} from '../load.mjs';

const draw = load(['core.js', 'map.js', 'draw.js'],
  ['makeEncoder', 'makeMlp', 'makeDecoder', 'quadratureElbo', 'bernoulliLogLikelihood', 'gaussianKl', 'inkAt',
    'inkLine', 'bytesFromBase64']);

function pageDigits(data) {
  const bytes = draw.bytesFromBase64(data.digits);
  return data.digitLabels.map((_, k) => Float32Array.from(bytes.subarray(784 * k, 784 * (k + 1)), (v) => v / 255));
}

test('the page\'s quadrature ELBO of each carried test digit is within 0.5 nats of torch\'s', {skip: needsFixture}, () => {
  const data = fixture.draw;
  const encode = draw.makeEncoder(data.encoder);
  const logits = draw.makeMlp(data.models[data.model]);
  const digits = pageDigits(data);
  assert.equal(digits.length, 10);
  const diffs = digits.map((x, k) => draw.quadratureElbo(encode, logits, x, data.points, data.weights).elbo - data.digitElbos[k]);
  const worst = Math.max(...diffs.map(Math.abs));
  console.log(`largest |page - torch| over ${digits.length} digits: ${worst.toFixed(4)} nats`);
  assert.ok(worst < 0.5, `differences ${diffs.map((d) => d.toFixed(3))}`);
  const blank = draw.quadratureElbo(encode, logits, new Float32Array(784), data.points, data.weights).elbo;
  assert.ok(Math.abs(blank - data.blankElbo) < 0.5, `blank image: page ${blank}, torch ${data.blankElbo}`);
});

test('the encoder\'s mean and log-variance match torch\'s within 0.02', {skip: needsFixture}, () => {
  const data = fixture.draw;
  const encode = draw.makeEncoder(data.encoder);
  pageDigits(data).forEach((x, k) => {
    const {mu, logvar} = encode(x);
    for (let d = 0; d < 2; d++) {
      assert.ok(Math.abs(mu[d] - fixture.torch_mu[k][d]) < 0.02, `digit ${k} mu ${mu} torch ${fixture.torch_mu[k]}`);
      assert.ok(Math.abs(logvar[d] - fixture.torch_logvar[k][d]) < 0.02, `digit ${k} logvar ${logvar}`);
    }
  });
});

test('log-likelihood and KL against hand-computed values', () => {
  // x = (1, 0, 0.5), logits (0, 2, -40): log sigmoid(0) + log(1 - sigmoid(2)) + 0.5 (-40) - softplus(-40)
  const expected = Math.log(0.5) + Math.log(1 - 1 / (1 + Math.exp(-2))) + 0.5 * -40 - Math.log1p(Math.exp(-40));
  assert.ok(Math.abs(draw.bernoulliLogLikelihood([1, 0, 0.5], [0, 2, -40]) - expected) < 1e-12);
  // KL(N((1, 0), diag(e, 1)) || N(0, I)) = 0.5 (e + 1 - 1 - 1) + 0
  assert.ok(Math.abs(draw.gaussianKl([1, 0], [1, 0]) - 0.5 * (Math.E - 1)) < 1e-12);
});

test('the brush inks the pixels within 0.8 of the point fully and none beyond 1.6', () => {
  const ink = new Float32Array(784);
  assert.equal(draw.inkAt(ink, 10.5, 20.5), true);
  for (let r = 0; r < 28; r++) {
    for (let c = 0; c < 28; c++) {
      const d = Math.hypot(r - 10, c - 20);
      const want = Math.min(1, Math.max(0, (1.6 - d) / 0.8));
      assert.ok(Math.abs(ink[r * 28 + c] - want) < 1e-6, `pixel ${r}, ${c}`);
    }
  }
  assert.equal(draw.inkAt(ink, 10.5, 20.5), false);  // nothing darker to add
  const line = new Float32Array(784);
  draw.inkLine(line, 4.5, 2.5, 4.5, 25.5);  // a horizontal stroke along row 4
  for (let c = 2; c <= 25; c++) assert.equal(line[4 * 28 + c], 1);
  assert.equal(line[0], 0);
  assert.equal(line[20 * 28 + 10], 0);
});

test('a stroke off the pad changes nothing and throws nothing', () => {
  const ink = new Float32Array(784);
  assert.equal(draw.inkAt(ink, -10, -10), false);
  assert.equal(draw.inkLine(ink, 40, 40, 50, 60), false);
});
