/*
 * Latent arithmetic: a gallery digit's code z moved along the difference of two class means,
 * z + t (mean[to] - mean[from]) for t from 0 to the chosen amount, decoded in a row.
 *
 * data (page.arithmetic_view): model, models, dims, gallery, means (base64 float32, one
 * latent_dim row per digit 0-9), start (gallery position), source, target, steps, classes (the
 * digits present in the labels: the only ones the menus offer, since the others have no mean).
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
  const ui = viewElements(root, {digit: '.vt-digit', from: '.vt-from', to: '.vt-to', amount: '.vt-amount',
    amountShown: '.vt-amount-out', ends: '.vt-ends', row: '.vt-path', values: '.vt-values'});
  const digitName = function (k) { return 'digit ' + k; };
  fillGallerySelect(ui.digit, gallery, data.start);
  const classes = data.classes || 10;
  fillNumberSelect(ui.from, classes, digitName, data.source);
  fillNumberSelect(ui.to, classes, digitName, data.target);

  redrawOn(root, [ui.digit, ui.from, ui.to, ui.amount], function render() {
    const position = +ui.digit.value, a = +ui.amount.value;
    ui.amountShown.textContent = a.toFixed(2);
    const codes = moveCodes(gallery.codes[name][position], means[+ui.from.value], means[+ui.to.value], a,
      data.steps);
    showRow(ui.row, codes.map(decoders[name]), 3);
    const steps = codes.length;
    labelRow(ui.values, codes.map(function (_, s) { return 't = ' + (a * s / (steps - 1)).toFixed(2); }), 3);
    showRow(ui.ends, [gallery.images[position]], 3);
  });
}
