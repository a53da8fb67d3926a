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

/** Copies of code z with z[dim] set to `steps` values evenly spaced from -span to +span. */
function sweepValues(z, dim, span, steps) {
  const codes = [];
  for (let s = 0; s < steps; s++) {
    const code = Float32Array.from(z);
    code[dim] = -span + 2 * span * s / (steps - 1);
    codes.push(code);
  }
  return codes;
}

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

  function render() {
    const name = data.order[+slider.value];
    const decode = decoders[name];
    const position = +digit.value;
    const z = gallery.codes[name][position];
    const s = data.stats[name];
    shown.textContent = betaLabel(data.betas[+slider.value]);
    stats.textContent = 'rate ' + s.rate.toFixed(1) + ' nats, distortion ' + s.distortion.toFixed(1) +
      ' nats, ' + s.active + ' of ' + data.dims[name] + ' dimensions active';
    drawRow(ends, [gallery.images[position], decode(z)]);
    setDisplayScale(ends, 3);
    rows.forEach(function (row, r) {
      const d = data.top[name][r];
      drawRow(row, sweepValues(z, d, data.span, data.steps).map(decode));
      setDisplayScale(row, 3);
      names[r].textContent = 'z[' + d + '] (KL ' + data.kl[name][r].toFixed(2) + ' nats)';
    });
    const ticks = [];
    for (let k = 0; k < data.steps; k++) ticks.push((-data.span + 2 * data.span * k / (data.steps - 1)).toFixed(1));
    labelRow(values, ticks, 3);
  }
  const update = timed(root, render);
  onChange([slider, digit], update);
  update();
}
