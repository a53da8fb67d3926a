// The decoder in the page (core.js) against Python: numpy's float16, export.dequantize,
// export.decode_numpy (the same arithmetic in numpy) and torch's own decode.
import test from 'node:test';
import assert from 'node:assert/strict';
import {load, fixture, needsFixture, float32s, maxAbsDiff} from './load.mjs';

const core = load(['core.js'], ['halfToFloat', 'float16FromBase64', 'dequantizeLayer', 'makeDecoder', 'codeRows']);

test('every float16 bit pattern decodes to numpy\'s float32 value, bit for bit', {skip: needsFixture}, () => {
  const decoded = core.float16FromBase64(fixture.float16.bits);
  const expected = float32s(fixture.float16.values);
  assert.equal(decoded.length, 65536);
  const got = new Uint32Array(decoded.buffer), want = new Uint32Array(expected.buffer);
  const wrong = [];
  for (let i = 0; i < want.length && wrong.length < 5; i++) {
    const bothNaN = Number.isNaN(decoded[i]) && Number.isNaN(expected[i]);
    if (!bothNaN && got[i] !== want[i]) wrong.push(`0x${i.toString(16)}: ${decoded[i]} (numpy ${expected[i]})`);
  }
  assert.deepEqual(wrong, []);
});

test('half-precision edge cases: signed zeros, the smallest subnormal, the largest half, infinities', () => {
  assert.ok(Object.is(core.halfToFloat(0x0000), 0));
  assert.ok(Object.is(core.halfToFloat(0x8000), -0));
  assert.equal(core.halfToFloat(0x0001), 2 ** -24);
  assert.equal(core.halfToFloat(0x7bff), 65504);
  assert.equal(core.halfToFloat(0x7c00), Infinity);
  assert.equal(core.halfToFloat(0xfc00), -Infinity);
  assert.ok(Number.isNaN(core.halfToFloat(0x7e00)));
});

for (const dtype of ['int8', 'float16']) {
  test(`${dtype} layers dequantize to export.dequantize's weights exactly`, {skip: needsFixture}, () => {
    const spec = fixture.decoders[dtype];
    spec.spec.layers.forEach((layerSpec, k) => {
      const layer = core.dequantizeLayer(layerSpec);
      assert.equal(maxAbsDiff(layer.w, float32s(spec.weights[k])), 0, `layer ${k} weights`);
      assert.equal(maxAbsDiff(layer.b, float32s(spec.biases[k])), 0, `layer ${k} biases`);
    });
  });

  test(`${dtype} decoder matches decode_numpy within 1e-5 and torch within the export's tolerance`,
    {skip: needsFixture}, () => {
      const spec = fixture.decoders[dtype];
      const decode = core.makeDecoder(spec.spec);
      const codes = core.codeRows(fixture.codes, spec.spec.latent_dim);
      const numpy = float32s(spec.numpy), torch = float32s(spec.torch);
      let vsNumpy = 0, vsTorch = 0;
      codes.forEach((z, n) => {
        const pixels = decode(z);
        assert.equal(pixels.length, 784);
        vsNumpy = Math.max(vsNumpy, maxAbsDiff(pixels, numpy.subarray(n * 784, (n + 1) * 784)));
        vsTorch = Math.max(vsTorch, maxAbsDiff(pixels, torch.subarray(n * 784, (n + 1) * 784)));
      });
      assert.ok(vsNumpy < 1e-5, `largest pixel difference to decode_numpy ${vsNumpy}`);
      assert.ok(vsTorch < spec.torch_tolerance, `largest pixel difference to torch ${vsTorch} (tolerance ${spec.torch_tolerance})`);
    });
}

test('a Gaussian decoder clamps to [0, 1] instead of the sigmoid', () => {
  // one Linear layer 1 -> 3 with weights 1 and biases -2, 0.5, 2 (float32, little-endian)
  const f32 = (values) => Buffer.from(new Float32Array(values).buffer).toString('base64');
  const spec = {latent_dim: 1, output: 'clamp',
    layers: [{in: 1, out: 3, dtype: 'float32', w: f32([1, 1, 1]), b: f32([-2, 0.5, 2])}]};
  assert.deepEqual(Array.from(core.makeDecoder(spec)(new Float32Array([0]))), [0, 0.5, 1]);
});
