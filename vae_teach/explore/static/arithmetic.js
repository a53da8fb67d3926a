/*
 * Latent arithmetic: a gallery digit's code z moved along the difference of two class means,
 * z + t (mean[to] - mean[from]) for t from 0 to the chosen amount, decoded in a row.
 *
 * data (page.arithmetic_view): model, models, dims, gallery, means (base64 float32, one
 * latent_dim row per digit 0-9), start (gallery position), source, target, steps.
 * Markup: select.vt-digit, select.vt-from, select.vt-to, input.vt-amount, canvas.vt-ends,
 * canvas.vt-path, div.vt-values (the amount t under each image).
 */

/** z + t (b - a) for t = 0, amount / (steps - 1), ..., amount: `steps` codes. */
function moveCodes(z, a, b, amount, steps) {
  const codes = [];
  for (let s = 0; s < steps; s++) {
    const t = amount * s / (steps - 1);
    const code = new Float32Array(z.length);
    for (let i = 0; i < z.length; i++) code[i] = z[i] + t * (b[i] - a[i]);
    codes.push(code);
  }
  return codes;
}

function arithmeticView(root, data, decoders) {
  const name = data.model;
  const gallery = readGallery(data.gallery, data.dims);
  const means = codeRows(data.means, data.dims[name]);
  const digit = root.querySelector('.vt-digit');
  const from = root.querySelector('.vt-from');
  const to = root.querySelector('.vt-to');
  const amount = root.querySelector('.vt-amount');
  const amountShown = root.querySelector('.vt-amount-out');
  const ends = root.querySelector('.vt-ends');
  const row = root.querySelector('.vt-path');
  const values = root.querySelector('.vt-values');
  const digitName = function (k) { return 'digit ' + k; };
  fillGallerySelect(digit, gallery, data.start);
  fillNumberSelect(from, 10, digitName, data.source);
  fillNumberSelect(to, 10, digitName, data.target);

  function render() {
    const position = +digit.value, a = +amount.value;
    amountShown.textContent = a.toFixed(2);
    const codes = moveCodes(gallery.codes[name][position], means[+from.value], means[+to.value], a, data.steps);
    drawRow(row, codes.map(decoders[name]));
    setDisplayScale(row, 3);
    const steps = codes.length;
    labelRow(values, codes.map(function (_, s) { return 't = ' + (a * s / (steps - 1)).toFixed(2); }), 3);
    drawRow(ends, [gallery.images[position]]);
    setDisplayScale(ends, 3);
  }
  const update = timed(root, render);
  onChange([digit, from, to, amount], update);
  update();
}
