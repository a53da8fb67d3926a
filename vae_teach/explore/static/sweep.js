/*
 * The beta explorer: one VAE per beta of a sweep; a slider picks the beta, and the view
 * redraws with that model's decoder: a test digit, its reconstruction, and traversals of
 * the model's latent dimensions with the highest KL (the dimensions it uses most).
 *
 * data (sweep.sweep_view): order (model names, by beta), betas, models, dims, gallery
 * (test digits and their codes under each model), top (model name -> the dimensions to
 * traverse, highest KL first), kl (model name -> their KL, nats), stats (model name ->
 * {rate, distortion, active}), span, steps, start (gallery position), beta (position in order).
 * Markup: input.vt-beta, output.vt-beta-out, select.vt-digit, canvas.vt-ends, p.vt-stats,
 * canvas.vt-path and div.vt-name per traversal row, div.vt-values.
 */

/** 'β = 0.25' for a beta: the shortest decimal that names it. */
function betaLabel(beta) {
  return '\u03b2 = ' + String(+beta.toPrecision(3));
}

function sweepView(root, data, decoders) {
  const gallery = readGallery(data.gallery, data.dims);
  const slider = root.querySelector('.vt-beta');
  const shown = root.querySelector('.vt-beta-out');
  const digit = root.querySelector('.vt-digit');
  const ends = root.querySelector('.vt-ends');
  const stats = root.querySelector('.vt-stats');
  const rows = Array.from(root.querySelectorAll('.vt-path'));
  const names = Array.from(root.querySelectorAll('.vt-name'));
  const values = root.querySelector('.vt-values');
  fillGallerySelect(digit, gallery, data.start);
  slider.value = data.beta;
  // The swept values are the same for every model and digit: written once.
  const ticks = [];
  for (let k = 0; k < data.steps; k++) ticks.push((-data.span + 2 * data.span * k / (data.steps - 1)).toFixed(1));
  labelRow(values, ticks, 3);
  // Decoded images by model and digit: moving the slider back to a beta seen before redraws
  // without decoding again (at most 6 models x 20 digits x 22 images of 784 floats, ~8 MB).
  const decoded = new Map();

  function imagesFor(name, position) {
    const key = name + '|' + position;
    if (!decoded.has(key)) {
      const decode = decoders[name];
      const z = gallery.codes[name][position];
      decoded.set(key, {reconstruction: decode(z), rows: data.top[name].map(function (d) {
        return sweepCodes(z, d, data.span, data.steps).map(decode);
      })});
    }
    return decoded.get(key);
  }

  // While the page is idle, decode the digit under the other betas too, one model per idle
  // period (about 22 decodes, a few ms), so that the slider then only redraws.
  const whenIdle = typeof requestIdleCallback === 'function' ? requestIdleCallback : function (f) {
    return setTimeout(f, 0);
  };
  function prefetch(position) {
    const missing = data.order.filter(function (name) { return !decoded.has(name + '|' + position); });
    function step() {
      if (+digit.value !== position || !missing.length) return;  // the reader chose another digit
      imagesFor(missing.shift(), position);
      whenIdle(step);
    }
    whenIdle(step);
  }

  function render() {
    const name = data.order[+slider.value];
    const position = +digit.value;
    const s = data.stats[name];
    const images = imagesFor(name, position);
    shown.textContent = betaLabel(data.betas[+slider.value]);
    stats.textContent = 'rate ' + s.rate.toFixed(1) + ' nats, distortion ' + s.distortion.toFixed(1) +
      ' nats, ' + s.active + ' of ' + data.dims[name] + ' dimensions active';
    drawRow(ends, [gallery.images[position], images.reconstruction]);
    setDisplayScale(ends, 3);
    rows.forEach(function (row, r) {
      drawRow(row, images.rows[r]);
      setDisplayScale(row, 3);
      names[r].textContent = 'z[' + data.top[name][r] + '] (KL ' + data.kl[name][r].toFixed(2) + ' nats)';
    });
    prefetch(position);
  }
  const update = timed(root, render);
  onChange([slider, digit], update);
  update();
}
