/*
 * Traversal: one gallery digit's code with a single latent dimension swept from -span to
 * +span in `steps` steps while the other dimensions stay where they are.
 *
 * data (page.traversal_view): model, models, dims, gallery, start (gallery position),
 * dim (the dimension shown first), steps.
 * Markup: select.vt-digit, select.vt-dim, input.vt-span, canvas.vt-ends, span.vt-own,
 * canvas.vt-path, div.vt-values (the swept value under each image).
 */

/** Copies of code z with z[dim] set to -span, ..., +span (`steps` values evenly spaced). */
function sweepCodes(z, dim, span, steps) {
  const codes = [];
  for (let s = 0; s < steps; s++) {
    const code = Float32Array.from(z);
    code[dim] = -span + 2 * span * s / (steps - 1);
    codes.push(code);
  }
  return codes;
}

function traversalView(root, data, decoders) {
  const name = data.model;
  const gallery = readGallery(data.gallery, data.dims);
  const digit = root.querySelector('.vt-digit');
  const dim = root.querySelector('.vt-dim');
  const span = root.querySelector('.vt-span');
  const spanShown = root.querySelector('.vt-span-out');
  const ends = root.querySelector('.vt-ends');
  const own = root.querySelector('.vt-own');
  const row = root.querySelector('.vt-path');
  const values = root.querySelector('.vt-values');
  fillGallerySelect(digit, gallery, data.start);
  fillNumberSelect(dim, data.dims[name], function (k) { return 'z[' + k + ']'; }, data.dim);

  function render() {
    const position = +digit.value, d = +dim.value, r = +span.value;
    const z = gallery.codes[name][position];
    spanShown.textContent = '\u00b1' + r.toFixed(1);
    const codes = sweepCodes(z, d, r, data.steps);
    drawRow(row, codes.map(decoders[name]));
    setDisplayScale(row, 3);
    labelRow(values, codes.map(function (code) { return code[d].toFixed(1); }), 3);
    own.textContent = 'this digit has z[' + d + '] = ' + z[d].toFixed(2);
    drawRow(ends, [gallery.images[position]]);
    setDisplayScale(ends, 3);
  }
  const update = timed(root, render);
  onChange([digit, dim, span], update);
  update();
}
