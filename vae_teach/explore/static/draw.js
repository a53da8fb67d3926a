/*
 * Draw a digit: the reader inks a 28 x 28 canvas; the page encodes it (q(z|x) = N(mu, diag
 * exp(logvar))), decodes the mean code, draws q as an ellipse at 2 standard deviations on the
 * latent map, and scores the drawing with the quadrature ELBO of vae_teach.quadrature_elbo:
 *
 *     ELBO = sum_p w_p log p(x | mu + sigma * u_p) - KL(q || N(0, I)),
 *
 * the points u_p and weights w_p carried in the page (Gauss-Hermite, from Python), so the
 * page and torch compute the same number. Uses core.js and map.js (paintPlane, planeTransform).
 *
 * data (draw.py): model (name), models (the decoder), dims, encoder ({layers: [784 -> hidden,
 * hidden -> 2 D (mu then logvar)]}), codes (base64 float32, the training codes), labels (uint8),
 * extent, points (P x D numbers), weights (P), threshold (nats), digits (base64 uint8 pixels
 * of the test digits carried), digitLabels, blankElbo and digitElbos (torch's values).
 * Markup: canvas.vt-pad (the drawing), canvas.vt-img.vt-recon, canvas.vt-map, output.vt-score,
 * buttons .vt-clear, .vt-digit, .vt-blank.
 */

/**
 * The encoder as a function: pixels x (784 numbers in [0, 1]) -> {mu, logvar}, each an array
 * of D numbers. spec.layers: Linear 784 -> hidden (ReLU after it), then one Linear hidden -> 2 D
 * whose outputs are mu followed by logvar; the arithmetic is core.js's makeMlp.
 */
function makeEncoder(spec) {
  const forward = makeMlp(spec);
  const dim = spec.latent_dim;
  return function encode(x) {
    const out = forward(x);
    return {mu: Array.from(out.subarray(0, dim)), logvar: Array.from(out.subarray(dim, 2 * dim))};
  };
}

/** log p(x|z) of a Bernoulli decoder: sum over pixels of x l - softplus(l), l the logits (nats). */
function bernoulliLogLikelihood(x, logits) {
  let total = 0;
  for (let p = 0; p < logits.length; p++) {
    const l = logits[p];
    total += x[p] * l - (Math.max(l, 0) + Math.log1p(Math.exp(-Math.abs(l))));  // softplus, stable
  }
  return total;
}

/** KL(N(mu, diag exp(logvar)) || N(0, I)), nats. */
function gaussianKl(mu, logvar) {
  let kl = 0;
  for (let d = 0; d < mu.length; d++) kl += 0.5 * (Math.exp(logvar[d]) + mu[d] * mu[d] - 1 - logvar[d]);
  return kl;
}

/**
 * The quadrature ELBO of image x (784 numbers in [0, 1]): {elbo, expected, kl, mu, logvar}, nats.
 * encode: makeEncoder's function; logits: core.js's makeMlp of the decoder (its logits, before the
 * sigmoid); points: P standardised points (arrays
 * of D), weights: P numbers summing to 1.
 */
function quadratureElbo(encode, logits, x, points, weights) {
  const {mu, logvar} = encode(x);
  const sigma = logvar.map(function (v) { return Math.exp(0.5 * v); });
  const z = new Float32Array(mu.length);
  let expected = 0;
  for (let p = 0; p < points.length; p++) {
    for (let d = 0; d < mu.length; d++) z[d] = mu[d] + sigma[d] * points[p][d];
    expected += weights[p] * bernoulliLogLikelihood(x, logits(z));
  }
  const kl = gaussianKl(mu, logvar);
  return {elbo: expected - kl, expected: expected, kl: kl, mu: mu, logvar: logvar};
}

/**
 * Add a brush stroke's ink to `ink` (Float32Array(784)) at (row, col) in pixel units (0.5, 0.5
 * being the centre of the top-left pixel): full ink within 0.8 pixels of the point, fading to
 * none at 1.6, each pixel keeping the darker of its ink and the brush's (strokes about as wide
 * as MNIST's). Returns whether any pixel changed.
 */
function inkAt(ink, row, col) {
  let changed = false;
  for (let r = Math.max(0, Math.floor(row - 2)); r <= Math.min(27, Math.floor(row + 2)); r++) {
    for (let c = Math.max(0, Math.floor(col - 2)); c <= Math.min(27, Math.floor(col + 2)); c++) {
      const distance = Math.hypot(r + 0.5 - row, c + 0.5 - col);
      const value = Math.fround(Math.min(1, Math.max(0, (1.6 - distance) / 0.8)));  // as the pad stores it
      if (value > ink[r * 28 + c]) {
        ink[r * 28 + c] = value;
        changed = true;
      }
    }
  }
  return changed;
}

/** Ink along the segment from (r0, c0) to (r1, c1), a brush every quarter pixel. */
function inkLine(ink, r0, c0, r1, c1) {
  const steps = Math.max(1, Math.ceil(4 * Math.hypot(r1 - r0, c1 - c0)));
  let changed = false;
  for (let s = 0; s <= steps; s++) {
    changed = inkAt(ink, r0 + (r1 - r0) * s / steps, c0 + (c1 - c0) * s / steps) || changed;
  }
  return changed;
}

/** The ellipse of q(z|x) at `k` standard deviations in canvas pixels: {x, y, rx, ry}. */
function posteriorEllipse(box, mu, logvar, k) {
  const [x, y] = box.toPixel(mu[0], mu[1]);
  const [x1] = box.toPixel(mu[0] + k * Math.exp(0.5 * logvar[0]), mu[1]);
  const [, y1] = box.toPixel(mu[0], mu[1] + k * Math.exp(0.5 * logvar[1]));
  return {x: x, y: y, rx: Math.abs(x1 - x), ry: Math.abs(y - y1)};
}

/** Scale of the drawing pad: each image pixel is PAD_SCALE x PAD_SCALE canvas pixels. */
const PAD_SCALE = 10;

function drawView(root, data, decoders) {
  const decode = decoders[data.model];
  const encode = makeEncoder(data.encoder);
  const logits = makeMlp(data.models[data.model]);  // the decoder's logits, before its sigmoid
  const codes = codeRows(data.codes, 2);
  const labels = bytesFromBase64(data.labels);
  const digits = bytesFromBase64(data.digits);
  const pad = root.querySelector('.vt-pad');
  const recon = root.querySelector('.vt-recon');
  const plane = root.querySelector('.vt-map');
  const score = root.querySelector('.vt-score');
  const box = planeTransform(data.extent, plane.width);
  const backdrop = document.createElement('canvas');
  backdrop.width = backdrop.height = plane.width;
  const ink = new Float32Array(784);
  let cursor = [14, 14];  // row, column of the keyboard's cursor
  let nextDigit = 0;
  let keyboard = false;  // the cursor shows once a key is used on the pad, until the pointer draws
  let shown = 'the empty pad (the blank image)';  // what the pad holds, named in the readout
  let last = null;

  const small = document.createElement('canvas');  // the drawing at 28 x 28, enlarged onto the pad
  function paintPad() {
    drawRow(small, [ink]);
    const c = pad.getContext('2d');
    c.imageSmoothingEnabled = false;  // sharp pixels, as the reader's strokes land on them
    c.drawImage(small, 0, 0, 28 * PAD_SCALE, 28 * PAD_SCALE);
    if (keyboard && document.activeElement === pad) {  // the keyboard's cursor, while the keys draw
      c.lineWidth = 2;
      c.strokeStyle = '#d62728';
      c.strokeRect(cursor[1] * PAD_SCALE + 1, cursor[0] * PAD_SCALE + 1, PAD_SCALE - 2, PAD_SCALE - 2);
    }
  }

  function render() {
    last = quadratureElbo(encode, logits, ink, data.points, data.weights);
    drawRow(recon, [decode(Float32Array.from(last.mu))]);
    const c = plane.getContext('2d');
    c.drawImage(backdrop, 0, 0);
    const e = posteriorEllipse(box, last.mu, last.logvar, 2);
    c.save();
    c.beginPath();
    c.rect(box.left, box.top, box.right - box.left, box.bottom - box.top);
    c.clip();
    c.beginPath();
    c.ellipse(e.x, e.y, Math.max(e.rx, 1.5), Math.max(e.ry, 1.5), 0, 0, 2 * Math.PI);
    c.fillStyle = 'rgba(214, 39, 40, 0.25)';
    c.fill();
    c.lineWidth = 4;
    c.strokeStyle = background(root);
    c.stroke();
    c.lineWidth = 2;
    c.strokeStyle = '#d62728';
    c.stroke();
    // a cross through the mean, reaching past the ellipse, so that a small q is found at a glance
    const arm = 10;
    c.beginPath();
    c.moveTo(e.x - Math.max(e.rx, 1.5) - arm, e.y);
    c.lineTo(e.x - Math.max(e.rx, 1.5) - 2, e.y);
    c.moveTo(e.x + Math.max(e.rx, 1.5) + 2, e.y);
    c.lineTo(e.x + Math.max(e.rx, 1.5) + arm, e.y);
    c.moveTo(e.x, e.y - Math.max(e.ry, 1.5) - arm);
    c.lineTo(e.x, e.y - Math.max(e.ry, 1.5) - 2);
    c.moveTo(e.x, e.y + Math.max(e.ry, 1.5) + 2);
    c.lineTo(e.x, e.y + Math.max(e.ry, 1.5) + arm);
    c.stroke();
    c.restore();
    const flagged = last.elbo < data.threshold;
    const std = last.logvar.map(function (v) { return Math.exp(0.5 * v).toFixed(2); });
    score.textContent = shown.charAt(0).toUpperCase() + shown.slice(1) + ': ELBO ' + last.elbo.toFixed(1)
      + ' nats (threshold ' + data.threshold.toFixed(1) + '): ' + (flagged ? 'flagged as an anomaly' : 'not flagged')
      + '. q(z|x): mean (' + last.mu[0].toFixed(2) + ', ' + last.mu[1].toFixed(2) + '), std (' + std.join(', ') + ').';
    score.classList.toggle('vt-flagged', flagged);
    root.vt.last = last;
  }
  const update = timed(root, render);

  function redraw() { paintPad(); update(); }

  // Pointer: mouse, pen and touch alike; a stroke joins successive positions with a line.
  let stroke = null;
  function padPosition(event) {
    const rect = pad.getBoundingClientRect();
    return [(event.clientY - rect.top) / rect.height * 28, (event.clientX - rect.left) / rect.width * 28];
  }
  pad.addEventListener('pointerdown', function (event) {
    event.preventDefault();
    pad.focus();
    pad.setPointerCapture(event.pointerId);
    stroke = padPosition(event);
    keyboard = false;
    shown = 'your drawing';
    if (inkAt(ink, stroke[0], stroke[1])) redraw(); else paintPad();
  });
  pad.addEventListener('pointermove', function (event) {
    if (stroke === null) return;
    const at = padPosition(event);
    const changed = inkLine(ink, stroke[0], stroke[1], at[0], at[1]);
    stroke = at;
    if (changed) redraw();
  });
  for (const type of ['pointerup', 'pointercancel']) pad.addEventListener(type, function () { stroke = null; });

  // Keyboard: arrows move the cursor (Shift: 4 pixels), space or Enter inks at it.
  const moves = {ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0]};
  pad.addEventListener('keydown', function (event) {
    const move = moves[event.key];
    if (move || event.key === ' ' || event.key === 'Enter') {
      keyboard = true;
      shown = 'your drawing';
    }
    if (move) {
      event.preventDefault();
      const step = event.shiftKey ? 4 : 1;
      const clamp = function (v) { return Math.min(27, Math.max(0, v)); };
      cursor = [clamp(cursor[0] + step * move[0]), clamp(cursor[1] + step * move[1])];
      paintPad();
      pad.setAttribute('aria-valuetext', 'cursor at row ' + (cursor[0] + 1) + ', column ' + (cursor[1] + 1));
    } else if (event.key === ' ' || event.key === 'Enter') {
      event.preventDefault();
      if (inkAt(ink, cursor[0] + 0.5, cursor[1] + 0.5)) redraw();
    }
  });
  pad.addEventListener('focus', paintPad);
  pad.addEventListener('blur', paintPad);

  function load(pixels, what) {
    shown = what;
    for (let p = 0; p < 784; p++) ink[p] = pixels[p];
    redraw();
  }
  root.querySelector('.vt-clear').addEventListener('click', function () {
    load(new Float32Array(784), 'the empty pad (the blank image)');
  });
  root.querySelector('.vt-blank').addEventListener('click', function () {
    load(new Float32Array(784), 'the blank image');
  });
  const digitButton = root.querySelector('.vt-digit');
  digitButton.addEventListener('click', function () {
    const k = nextDigit;
    nextDigit = (nextDigit + 1) % data.digitLabels.length;
    load(carried(k),
      'test digit #' + data.digitIndex[k] + ' (a ' + data.digitLabels[k] + ')');
    digitButton.textContent = 'Load a test digit (next: a ' + data.digitLabels[nextDigit] + ')';
  });
  digitButton.textContent = 'Load a test digit (next: a ' + data.digitLabels[0] + ')';

  root.vt.elbo = function (pixels) {
    return quadratureElbo(encode, logits, Float32Array.from(pixels), data.points, data.weights);
  };
  root.vt.digitElbos = data.digitElbos;
  root.vt.blankElbo = data.blankElbo;
  function carried(k) {  // test digit k as the page holds it: 784 numbers in [0, 1]
    return Array.from(digits.subarray(784 * k, 784 * (k + 1)), function (v) { return v / 255; });
  }
  root.vt.digits = function () { return data.digitLabels.map(function (_, k) { return carried(k); }); };

  setDisplayScale(recon, 6);
  paintPlane(backdrop, root, box, data.extent, codes, labels);
  redraw();

  // The book's light/dark switch sets data-theme on <html>: repaint the plane in the new colours.
  const html = document.documentElement;
  let theme = html.dataset.theme;
  new MutationObserver(function () {
    if (html.dataset.theme !== theme) {
      theme = html.dataset.theme;
      paintPlane(backdrop, root, box, data.extent, codes, labels);
      update();
    }
  }).observe(html, {attributes: true, attributeFilter: ['data-theme']});
}
