/*
 * Interpolation: decoded paths between two gallery digits' codes, one row per model (the
 * autoencoder above the VAE, say); a straight (lerp) or great-circle (slerp) path of 3-12 steps.
 *
 * data (page.interpolation_view): order (model names, top to bottom), models, dims,
 * gallery, start and end (gallery positions of the two digits).
 * Markup: select.vt-a, select.vt-b, select.vt-method, input.vt-steps, canvas.vt-ends (the two
 * test digits, each above its end of the paths), one canvas.vt-path per model.
 */

/** (1 - t) a + t b, as a Float32Array; a, b: codes of the same length; t in [0, 1]. */
function lerp(a, b, t) {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (1 - t) * a[i] + t * b[i];
  return out;
}

/**
 * Spherical interpolation (Shoemake 1985): the point at fraction t of the great-circle arc
 * from a to b, sin((1 - t) omega) / sin(omega) a + sin(t omega) / sin(omega) b, where omega
 * is the angle between a and b. Where the formula is 0/0 or undefined (a zero code, an
 * angle under 1e-6, or opposite codes) the straight line is returned instead.
 * Python's vt.slerp is the same formula; the node tests hold this one to it.
 */
function slerp(a, b, t) {
  let aa = 0, bb = 0, ab = 0;
  for (let i = 0; i < a.length; i++) {
    aa += a[i] * a[i];
    bb += b[i] * b[i];
    ab += a[i] * b[i];
  }
  const na = Math.sqrt(aa), nb = Math.sqrt(bb);
  if (na < 1e-12 || nb < 1e-12) return lerp(a, b, t);
  const omega = Math.acos(Math.max(-1, Math.min(1, ab / (na * nb))));
  if (omega < 1e-6 || Math.PI - omega < 1e-6) return lerp(a, b, t);
  const s = Math.sin(omega);
  const wa = Math.sin((1 - t) * omega) / s, wb = Math.sin(t * omega) / s;
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = wa * a[i] + wb * b[i];
  return out;
}

/** `steps` codes from a to b (both ends included) along `method`: 'linear' or 'spherical'. */
function pathCodes(a, b, steps, method) {
  const along = method === 'spherical' ? slerp : lerp;
  const codes = [];
  for (let s = 0; s < steps; s++) codes.push(along(a, b, s / (steps - 1)));
  return codes;
}

/**
 * The row of originals drawn above the paths: image a, steps - 2 blank tiles, image b, so that
 * each test digit sits right above the path's end decoded from its code (the model's
 * reconstruction of it), and a reader sees where the two differ.
 */
function endsRow(a, b, steps) {
  const row = [a];
  for (let s = 1; s < steps - 1; s++) row.push(new Float32Array(a.length));
  row.push(b);
  return row;
}

function interpolationView(root, data, decoders) {
  const gallery = readGallery(data.gallery, data.dims);
  const ui = viewElements(root, {from: '.vt-a', to: '.vt-b', method: '.vt-method', steps: '.vt-steps',
    stepsShown: '.vt-steps-out', ends: '.vt-ends'});
  const rows = root.querySelectorAll('.vt-path');
  fillGallerySelect(ui.from, gallery, data.start);
  fillGallerySelect(ui.to, gallery, data.end);

  redrawOn(root, [ui.from, ui.to, ui.method, ui.steps], function render() {
    const i = +ui.from.value, j = +ui.to.value, n = +ui.steps.value;
    ui.stepsShown.textContent = n;
    showRow(ui.ends, endsRow(gallery.images[i], gallery.images[j], n), 3);
    data.order.forEach(function (name, m) {
      const codes = pathCodes(gallery.codes[name][i], gallery.codes[name][j], n, ui.method.value);
      showRow(rows[m], codes.map(decoders[name]), 3);
    });
  });
}
