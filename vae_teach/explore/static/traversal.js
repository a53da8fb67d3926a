/*
 * Traversal: one gallery digit's code with a single latent dimension swept from -span to
 * +span in `steps` steps while the other dimensions stay where they are.
 *
 * data (page.traversal_view): model, models, dims, gallery, start (gallery position),
 * dim (the dimension shown first), steps.
 * Markup: select.vt-digit, select.vt-dim, input.vt-span, canvas.vt-ends, span.vt-own,
 * canvas.vt-path, div.vt-values (the swept value under each image).
 */

function traversalView(root, data, decoders) {
  const name = data.model;
  const gallery = readGallery(data.gallery, data.dims);
  const ui = viewElements(root, {digit: '.vt-digit', dim: '.vt-dim', span: '.vt-span', spanShown: '.vt-span-out',
    ends: '.vt-ends', own: '.vt-own', row: '.vt-path', values: '.vt-values'});
  fillGallerySelect(ui.digit, gallery, data.start);
  fillNumberSelect(ui.dim, data.dims[name], function (k) { return 'z[' + k + ']'; }, data.dim);

  redrawOn(root, [ui.digit, ui.dim, ui.span], function render() {
    const position = +ui.digit.value, d = +ui.dim.value, r = +ui.span.value;
    const z = gallery.codes[name][position];
    ui.spanShown.textContent = '\u00b1' + r.toFixed(1);
    const codes = sweepCodes(z, d, r, data.steps);
    showRow(ui.row, codes.map(decoders[name]), 3);
    labelRow(ui.values, codes.map(function (code) { return code[d].toFixed(1); }), 3);
    ui.own.textContent = 'this digit has z[' + d + '] = ' + z[d].toFixed(2);
    showRow(ui.ends, [gallery.images[position]], 3);
  });
}
