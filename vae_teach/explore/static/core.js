/*
 * vae-teach explorers: the shared core (decoding weights, running the stored MLPs: decoder and
 * encoder, the swept codes of traversals, drawing digits).
 *
 * How it reaches the page: vae_teach/explore/page.py inlines this file and one view file
 * (map.js, interpolation.js, traversal.js, arithmetic.js, draw.js or sweep.js) into each explorer's
 * script element:
 *
 *     (function (root, data) {
 *       'use strict';
 *       <core.js> <view.js>
 *       start(root, data, <the view's function>);
 *     })(document.getElementById('<the explorer's id>'), {<the explorer's data>});
 *
 * so every explorer runs in a scope of its own, and several explorers on one page share no
 * names. Plain JavaScript, no libraries, no network.
 *
 * Evaluating this file does nothing but declare: no line touches the page until start() is
 * called. The node tests (tests/explore/js) evaluate it on its own and call the functions.
 *
 * Units: a code z is a Float32Array of latent_dim numbers; an image is a Float32Array of
 * 784 pixels (28 rows of 28) in [0, 1], 1 being ink. Digits are drawn as in the book's
 * figures: dark ink (1 -> black) on a light ground (0 -> white).
 */

/**
 * The colour of each digit 0-9, as in the book's figures (vae_teach/plot/style.py holds the
 * same list): Paul Tol's colour-blind-safe "muted" scheme, with a dark grey as its tenth.
 */
const DIGIT_COLOURS = ['#332288', '#88CCEE', '#44AA99', '#117733', '#999933',
  '#DDCC77', '#CC6677', '#882255', '#AA4499', '#555555'];

/** Grey level of the column between neighbouring digits: ink 0.15 (PAD_INK in vae_teach/plot/images.py). */
const GAP_GREY = 217;

/* ---- Reading the embedded data (base64 strings of little-endian arrays) ---- */

/** base64 text -> Uint8Array of its bytes. */
function bytesFromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** base64 of little-endian float32 values -> Float32Array. */
function float32FromBase64(text) {
  return new Float32Array(bytesFromBase64(text).buffer);
}

/**
 * One IEEE 754 half-precision number, given as its 16 bits, as a JS number (exact).
 * 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits; exponent 0 is zero or a
 * subnormal (fraction * 2^-24), exponent 31 is infinity (fraction 0) or NaN.
 */
function halfToFloat(bits) {
  const sign = (bits & 0x8000) ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * Math.pow(2, -24);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * Math.pow(2, exponent - 15);
}

/** base64 of little-endian float16 values -> Float32Array (every half is exact in float32). */
function float16FromBase64(text) {
  const bytes = bytesFromBase64(text);
  const out = new Float32Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = halfToFloat(bytes[2 * i] | (bytes[2 * i + 1] << 8));
  return out;
}

/**
 * One exported Linear layer (see vae_teach.explore.export.export_decoder) as float32 arrays.
 * spec: {in, out, dtype: 'int8' | 'float16' | 'float32', w, scale (int8 only), b}.
 * int8 weights are q * scale[row]: one scale per output unit.
 * Returns {nIn, nOut, w: Float32Array(out * in) row-major, b: Float32Array(out), y: output buffer}.
 */
function dequantizeLayer(spec) {
  let w;
  if (spec.dtype === 'int8') {
    const q = new Int8Array(bytesFromBase64(spec.w).buffer);
    const scale = float32FromBase64(spec.scale);
    w = new Float32Array(spec.out * spec.in);
    for (let i = 0; i < spec.out; i++) {
      for (let j = 0; j < spec.in; j++) w[i * spec.in + j] = q[i * spec.in + j] * scale[i];
    }
  } else if (spec.dtype === 'float16') {
    w = float16FromBase64(spec.w);
  } else {
    w = float32FromBase64(spec.w);
  }
  return {nIn: spec.in, nOut: spec.out, w: w, b: float32FromBase64(spec.b), y: new Float32Array(spec.out)};
}

/** Row-major w (nOut x nIn) -> its transpose (nIn x nOut): the weights leaving each input, side by side. */
function transpose(w, nOut, nIn) {
  const t = new Float32Array(w.length);
  for (let i = 0; i < nOut; i++) {
    for (let j = 0; j < nIn; j++) t[j * nOut + i] = w[i * nIn + j];
  }
  return t;
}

/**
 * A stored MLP (spec.layers: Linear, ReLU, ..., Linear, nothing after the last) as a function:
 * input (nIn numbers) -> the last layer's outputs, a Float32Array that the next call reuses.
 *
 * Each output starts at its bias and adds weight * input for the inputs in order, in double
 * precision; each layer's output is stored as float32. export.decode_numpy does the same
 * arithmetic in numpy, and the tests hold the two to each other.
 *
 * For speed the loop runs input by input over the transposed weights (a contiguous run of nOut
 * weights per input) and skips inputs that are exactly 0, which a ReLU makes of many hidden units.
 * Adding 0 * w would not change a sum, so the result is the same, bit for bit.
 */
function makeMlp(spec) {
  const layers = spec.layers.map(function (layerSpec) {
    const layer = dequantizeLayer(layerSpec);
    layer.wT = transpose(layer.w, layer.nOut, layer.nIn);
    layer.sum = new Float64Array(layer.nOut);
    return layer;
  });
  const last = layers.length - 1;
  return function forward(input) {
    let x = input;
    for (let k = 0; k <= last; k++) {
      const {nIn, nOut, wT, b, y, sum} = layers[k];
      for (let i = 0; i < nOut; i++) sum[i] = b[i];
      for (let j = 0; j < nIn; j++) {
        const v = x[j];
        if (v === 0) continue;
        const column = j * nOut;
        for (let i = 0; i < nOut; i++) sum[i] += v * wT[column + i];
      }
      for (let i = 0; i < nOut; i++) y[i] = (k < last && sum[i] < 0) ? 0 : sum[i];  // ReLU between layers
      x = y;
    }
    return x;
  };
}

/**
 * The decoder as a function: code z (latent_dim numbers) -> Float32Array(784) of pixels in [0, 1]:
 * the torch decoder's MLP (makeMlp), then the sigmoid (a Bernoulli decoder, spec.output
 * 'sigmoid') or a clamp to [0, 1] (a Gaussian one, 'clamp').
 */
function makeDecoder(spec) {
  const forward = makeMlp(spec);
  const sigmoid = spec.output === 'sigmoid';
  return function decode(z) {
    const x = forward(z);
    const pixels = new Float32Array(x.length);
    for (let p = 0; p < x.length; p++) {
      const v = x[p];
      pixels[p] = sigmoid ? 1 / (1 + Math.exp(-v)) : Math.min(1, Math.max(0, v));
    }
    return pixels;
  };
}

/** data.models (name -> exported decoder) -> {name: decode function}. */
function makeDecoders(data) {
  const decoders = {};
  for (const name of Object.keys(data.models)) decoders[name] = makeDecoder(data.models[name]);
  return decoders;
}

/** Traversals (traversal.js, sweep.js): copies of code z with z[dim] set to -span, ..., +span (`steps` values evenly spaced). */
function sweepCodes(z, dim, span, steps) {
  const codes = [];
  for (let s = 0; s < steps; s++) {
    const code = Float32Array.from(z);
    code[dim] = -span + 2 * span * s / (steps - 1);
    codes.push(code);
  }
  return codes;
}

/** base64 float32 codes, `dim` per row -> array of Float32Array rows (views, no copies). */
function codeRows(text, dim) {
  const flat = float32FromBase64(text);
  const rows = [];
  for (let i = 0; i < flat.length / dim; i++) rows.push(flat.subarray(i * dim, (i + 1) * dim));
  return rows;
}

/**
 * The chosen test digits of a view (page.py's _gallery): their dataset indices, labels,
 * images (uint8 pixels -> Float32Array(784) in [0, 1]) and codes under each model.
 * dims: model name -> latent_dim.
 */
function readGallery(gallery, dims) {
  const pixels = bytesFromBase64(gallery.images);
  const images = [];
  for (let i = 0; i < gallery.index.length; i++) {
    const image = new Float32Array(784);
    for (let p = 0; p < 784; p++) image[p] = pixels[i * 784 + p] / 255;
    images.push(image);
  }
  const codes = {};
  for (const name of Object.keys(gallery.codes)) codes[name] = codeRows(gallery.codes[name], dims[name]);
  return {index: gallery.index, labels: gallery.labels, images: images, codes: codes};
}

/* ---- Drawing ---- */

/**
 * RGBA pixels of 28 x 28 images side by side, a GAP_GREY column between neighbours.
 * images: array of n Float32Array(784) in [0, 1]. Returns {width: 29 n - 1, height: 28,
 * rgba: Uint8ClampedArray(4 * width * 28)}; grey level round(255 * (1 - pixel)), opaque.
 */
function rowPixels(images) {
  const width = images.length * 29 - 1;
  const rgba = new Uint8ClampedArray(4 * width * 28);
  for (let p = 0; p < rgba.length; p += 4) {
    rgba[p] = rgba[p + 1] = rgba[p + 2] = GAP_GREY;
    rgba[p + 3] = 255;
  }
  images.forEach(function (image, k) {
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) {
        const v = Math.round(255 * (1 - image[r * 28 + c]));
        const at = 4 * (r * width + k * 29 + c);
        rgba[at] = rgba[at + 1] = rgba[at + 2] = v;
      }
    }
  });
  return {width: width, height: 28, rgba: rgba};
}

/** Draw images (see rowPixels) on a canvas, one canvas pixel per image pixel. */
function drawRow(canvas, images) {
  const row = rowPixels(images);
  if (canvas.width !== row.width || canvas.height !== row.height) {
    canvas.width = row.width;
    canvas.height = row.height;
  }
  const context = canvas.getContext('2d');
  const image = context.createImageData(row.width, row.height);
  image.data.set(row.rgba);
  context.putImageData(image, 0, 0);
}

/**
 * Round tick values for an axis from lo to hi: multiples of 1, 2 or 5 times a power of ten,
 * about `count` of them, 0 among them whenever lo <= 0 <= hi.
 */
function niceTicks(lo, hi, count) {
  const rough = (hi - lo) / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(rough)));
  const step = [1, 2, 5, 10].map(function (m) { return m * power; }).find(function (s) { return s >= rough; });
  const ticks = [];
  for (let k = Math.ceil(lo / step); k * step <= hi + 1e-9 * step; k++) {
    // k * step carries binary rounding (3 * 0.1 is 0.30000000000000004): keep 12 significant digits
    ticks.push(k === 0 ? 0 : Number((k * step).toPrecision(12)));
  }
  return ticks;
}

/**
 * Values written under each digit of a row: one span per image in `container`, which takes
 * the row's display width (29 n - 1 image pixels, `scale` times, at most the column's width,
 * as the canvas above it), each span an equal share (its old spans are replaced).
 */
function labelRow(container, values, scale) {
  container.textContent = '';
  container.style.width = ((29 * values.length - 1) * scale) + 'px';
  container.style.maxWidth = '100%';
  for (const value of values) {
    const span = document.createElement('span');
    span.textContent = value;
    container.appendChild(span);
  }
}

/** Show a canvas `scale` times its pixel size (CSS keeps the pixels sharp: explorer.css). */
function setDisplayScale(canvas, scale) {
  canvas.style.width = (canvas.width * scale) + 'px';
  canvas.style.height = 'auto';
}

/** drawRow(canvas, images), shown `scale` times its pixel size: a row of digits as the views draw it. */
function showRow(canvas, images, scale) {
  drawRow(canvas, images);
  setDisplayScale(canvas, scale);
}

/* ---- Controls and the page ---- */

/** Fill a <select> with the gallery's digits ("test #12 (digit 3)"); select position `chosen`. */
function fillGallerySelect(select, gallery, chosen) {
  gallery.index.forEach(function (datasetIndex, position) {
    const option = document.createElement('option');
    option.value = position;
    option.textContent = 'test #' + datasetIndex + ' (digit ' + gallery.labels[position] + ')';
    select.appendChild(option);
  });
  select.value = chosen;
}

/** Fill a <select> with options value 0..n-1 (n a number) or one per value of the array n, labelled label(k). */
function fillNumberSelect(select, n, label, chosen) {
  const values = Array.isArray(n) ? n : Array.from({ length: n }, function (_, k) { return k; });
  values.forEach(function (k) {
    const option = document.createElement('option');
    option.value = k;
    option.textContent = label(k);
    select.appendChild(option);
  });
  select.value = chosen;
}

/**
 * The first of the CSS custom properties `names` that the page defines at `element`, or
 * `fallback`. The book's theme (pydata-sphinx-theme) defines --pst-color-*, JupyterLab --jp-*.
 */
function themeColor(element, names, fallback) {
  const style = getComputedStyle(element);
  for (const name of names) {
    const value = name === 'color' ? style.color : style.getPropertyValue(name).trim();
    if (value) return value;
  }
  return fallback;
}

/** Colours of the map's text and background, from the book's or JupyterLab's theme. */
function foreground(element) {
  return themeColor(element, ['color'], '#222');
}
function background(element) {
  return themeColor(element, ['--pst-color-background', '--jp-layout-color0'], '#fff');
}

/**
 * A view's elements by role: selectors {role: CSS selector} -> {role: the first element under
 * root that matches}. An element the markup lacks is an error that names it (page.py writes
 * the markup of each view; the two must agree).
 */
function viewElements(root, selectors) {
  const found = {};
  for (const [role, selector] of Object.entries(selectors)) {
    found[role] = root.querySelector(selector);
    if (!found[role]) throw new Error('explorer markup: no ' + selector + ' (the ' + role + ' element)');
  }
  return found;
}

/**
 * Run the view's render each time any of `controls` changes value. 'input' fires for every
 * change of a <select> and every step of a range slider (while dragging, too); listening to
 * 'change' as well would draw each change twice.
 */
function onChange(controls, render) {
  for (const control of controls) control.addEventListener('input', render);
}

/**
 * Keep the keys that work a control to the explorer. In JupyterLab a notebook in command mode
 * acts on keys that bubble up to it: it cancels the arrow keys (so a slider would not move) and
 * reads letters as commands ('a' inserts a cell, 'd d' deletes one). Arrow keys, Home, End,
 * Page Up/Down and plain characters pressed on the explorer's controls stop at its root;
 * Escape, Tab and shortcuts with Ctrl, Alt or Meta (Shift+Enter runs the cell) go on.
 */
const CONTROL_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End',
  'PageUp', 'PageDown', ' ']);
function keepControlKeys(root) {
  root.addEventListener('keydown', function (event) {
    const plainCharacter = event.key.length === 1 && !event.ctrlKey && !event.altKey && !event.metaKey;
    if (CONTROL_KEYS.has(event.key) || plainCharacter) event.stopPropagation();
  });
}

/**
 * Wire a view: its render, timed (see timed), runs now and again whenever any of `controls`
 * changes (see onChange). Returns the timed update.
 */
function redrawOn(root, controls, render) {
  const update = timed(root, render);
  onChange(controls, update);
  update();
  return update;
}

/** How many update times root.vt.updateMs keeps (the most recent ones). */
const KEPT_TIMES = 500;

/**
 * Wrap a view's render so that each call is counted (root.vt.renders) and timed:
 * root.vt.updateMs holds the last KEPT_TIMES durations in ms (performance.now(), which
 * browsers round to 0.1 ms or coarser), root.vt.lastUpdateMs the latest.
 */
function timed(root, render) {
  return function update() {
    const begin = performance.now();
    render();
    const ms = performance.now() - begin;
    root.vt.renders++;
    root.vt.lastUpdateMs = ms;
    root.vt.updateMs.push(ms);
    if (root.vt.updateMs.length > KEPT_TIMES) root.vt.updateMs.shift();
  };
}

/**
 * Start one explorer: build its decoders, put the test hook on root (root.vt: decode(name, z)
 * -> array of 784 pixels, the torch reference pixels the page carries, kind, render count and
 * update times), hide the "Run this cell" message (it shows only where this script never ran,
 * e.g. an untrusted output in JupyterLab), then let `view(root, data, decoders, api)` draw.
 */
function start(root, data, view) {
  const decoders = makeDecoders(data);
  root.vt = {
    decode: function (name, z) { return Array.from(decoders[name](Float32Array.from(z))); },
    reference: data.reference, kind: data.kind, renders: 0, updateMs: [], lastUpdateMs: NaN,
  };
  // The body starts as style="display: none" (JupyterLab's sanitizer keeps that on an untrusted
  // output, where it drops the hidden attribute, the style sheet and this script).
  for (const message of root.querySelectorAll('.vt-untrusted')) message.hidden = true;
  for (const body of root.querySelectorAll('.vt-body')) body.style.display = '';
  keepControlKeys(root);
  view(root, data, decoders);
}
