/*
 * The latent map: the test codes of a 2-D model as a scatter plot coloured by digit; the
 * point under the pointer (or moved by the arrow keys) is decoded at once.
 *
 * data (page.map_view): model (its name), models, dims, codes (base64 float32, 2 per code),
 * labels (base64 uint8), extent [z0 min, z0 max, z1 min, z1 max], start [z0, z1],
 * prior (the radii, in standard deviations, of the circles that draw the prior N(0, I)).
 * Markup: canvas.vt-map (the plane), canvas.vt-img (the decoded digit), an <output>.
 */

/**
 * The plot box inside a square canvas of `size` pixels, and the maps between codes and
 * canvas pixels. extent: [z0 min, z0 max, z1 min, z1 max]; z1 grows upwards.
 * Returns {left, right, top, bottom, toPixel(z0, z1) -> [x, y], toCode(x, y) -> [z0, z1]}.
 */
function planeTransform(extent, size) {
  const left = 46, right = size - 16, top = 26, bottom = size - 40;
  const [x0, x1, y0, y1] = extent;
  return {
    left: left, right: right, top: top, bottom: bottom,
    toPixel: function (a, b) {
      return [left + (a - x0) / (x1 - x0) * (right - left), bottom - (b - y0) / (y1 - y0) * (bottom - top)];
    },
    toCode: function (x, y) {
      return [x0 + (x - left) / (right - left) * (x1 - x0), y0 + (bottom - y) / (bottom - top) * (y1 - y0)];
    },
  };
}

/**
 * The median code of each digit: array of [digit, [z0, z1]] for the digits present.
 * codes: array of [z0, z1]; labels: digit of each code.
 */
function classMedians(codes, labels) {
  const median = function (values) {
    const sorted = values.slice().sort(function (a, b) { return a - b; });
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const result = [];
  for (let k = 0; k < 10; k++) {
    const own = [];
    for (let i = 0; i < codes.length; i++) if (labels[i] === k) own.push(codes[i]);
    if (own.length) result.push([k, [median(own.map(function (z) { return z[0]; })), median(own.map(function (z) { return z[1]; }))]]);
  }
  return result;
}

/**
 * The prior N(0, I) as circles on the plot: one {radius, cx, cy, rx, ry} per radius (in
 * standard deviations), centre and half-axes in canvas pixels (an ellipse where the two
 * axes have different scales).
 */
function priorCircles(box, radii) {
  const [cx, cy] = box.toPixel(0, 0);
  return radii.map(function (radius) {
    const [x] = box.toPixel(radius, 0);
    const [, y] = box.toPixel(0, radius);
    return {radius: radius, cx: cx, cy: cy, rx: Math.abs(x - cx), ry: Math.abs(cy - y)};
  });
}

/**
 * Draw the prior's circles over the scatter on context c: each first as a solid band in the
 * ground colour, then dashed in ink on top, so that both the dashes and the gaps between them
 * stand out from the points under them (a thin dashed line alone vanished in a dense cloud).
 */
function drawPriorCircles(c, box, radii, ink, ground) {
  c.save();
  for (const circle of priorCircles(box, radii)) {
    for (const [width, colour, dash] of [[4, ground, []], [1.5, ink, [5, 4]]]) {
      c.setLineDash(dash);
      c.lineWidth = width;
      c.strokeStyle = colour;
      c.beginPath();
      c.ellipse(circle.cx, circle.cy, circle.rx, circle.ry, 0, 0, 2 * Math.PI);
      c.stroke();
    }
  }
  c.restore();
}

/** z clamped into the extent [z0 min, z0 max, z1 min, z1 max]. */
function clampToExtent(z, extent) {
  return [Math.min(extent[1], Math.max(extent[0], z[0])), Math.min(extent[3], Math.max(extent[2], z[1]))];
}

/**
 * Paint the plane on `backdrop` (a square canvas): the codes as dots coloured by digit, the prior's
 * circles (radii: in standard deviations, default 1 and 2), each digit's name at its median code,
 * axes with ticks, and a legend, in the colours of root's theme. box: planeTransform(extent,
 * backdrop.width).
 */
function paintPlane(backdrop, root, box, extent, codes, labels, radii = [1, 2]) {
  const size = backdrop.width;
  const c = backdrop.getContext('2d');
  const ink = foreground(root);
  c.clearRect(0, 0, size, size);
  c.fillStyle = background(root);
  c.fillRect(0, 0, size, size);
  c.save();
  c.beginPath();
  c.rect(box.left, box.top, box.right - box.left, box.bottom - box.top);
  c.clip();
  c.globalAlpha = 0.75;
  for (let i = 0; i < codes.length; i++) {
    const [x, y] = box.toPixel(codes[i][0], codes[i][1]);
    c.fillStyle = DIGIT_COLOURS[labels[i]];
    c.beginPath();
    c.arc(x, y, 2.6, 0, 2 * Math.PI);
    c.fill();
  }
  c.globalAlpha = 1;
  drawPriorCircles(c, box, radii, ink, background(root));
  // each digit's name at the median of its codes, outlined in the background colour
  c.font = 'bold 15px sans-serif';
  c.textAlign = 'center';
  c.lineWidth = 3;
  for (const [k, at] of classMedians(codes, labels)) {
    const [x, y] = box.toPixel(at[0], at[1]);
    c.strokeStyle = background(root);
    c.strokeText(String(k), x, y + 5);
    c.fillStyle = ink;
    c.fillText(String(k), x, y + 5);
  }
  c.restore();
  c.strokeStyle = ink;
  c.fillStyle = ink;
  c.lineWidth = 1;
  c.strokeRect(box.left, box.top, box.right - box.left, box.bottom - box.top);
  // axis names
  c.font = '13px sans-serif';
  c.textAlign = 'center';
  c.fillText('z[0]', (box.left + box.right) / 2, size - 6);
  c.save();
  c.translate(11, (box.top + box.bottom) / 2);
  c.rotate(-Math.PI / 2);
  c.fillText('z[1]', 0, 0);
  c.restore();
  // round tick values (0 among them), with short tick marks
  c.font = '11px sans-serif';
  c.textAlign = 'center';
  for (const a of niceTicks(extent[0], extent[1], 5)) {
    const x = box.toPixel(a, extent[2])[0];
    c.fillRect(x, box.bottom, 1, 4);
    c.fillText(String(a), x, box.bottom + 15);
  }
  c.textAlign = 'right';
  for (const b of niceTicks(extent[2], extent[3], 5)) {
    const y = box.toPixel(extent[0], b)[1];
    c.fillRect(box.left - 4, y, 4, 1);
    c.fillText(String(b), box.left - 6, y + 4);
  }
  // legend: one swatch per digit along the top
  c.textAlign = 'left';
  for (let k = 0; k < 10; k++) {
    c.fillStyle = DIGIT_COLOURS[k];
    c.fillRect(box.left + k * 28, 8, 9, 9);
    c.fillStyle = ink;
    c.fillText(String(k), box.left + 11 + k * 28, 17);
  }
}

function mapView(root, data, decoders) {
  const decode = decoders[data.model];
  const codes = codeRows(data.codes, 2);
  const labels = bytesFromBase64(data.labels);
  const extent = data.extent;
  const plane = root.querySelector('.vt-map');
  const digit = root.querySelector('.vt-img');
  const readout = root.querySelector('output');
  const size = plane.width;
  const box = planeTransform(extent, size);
  let z = data.start.slice();

  // The scatter, axes and legend are drawn once into an off-screen canvas (again when the
  // theme changes); each update copies it and draws the marker on top.
  const backdrop = document.createElement('canvas');
  backdrop.width = backdrop.height = size;

  function paintBackdrop() { paintPlane(backdrop, root, box, extent, codes, labels, data.prior); }

  function render() {
    const c = plane.getContext('2d');
    const [x, y] = box.toPixel(z[0], z[1]);
    c.drawImage(backdrop, 0, 0);
    // the marker: a circle with a cross, outlined in the background colour to stand out
    c.lineWidth = 3;
    c.strokeStyle = background(root);
    c.beginPath();
    c.arc(x, y, 7, 0, 2 * Math.PI);
    c.stroke();
    c.lineWidth = 2;
    c.strokeStyle = themeColor(root, ['color'], '#000');
    c.beginPath();
    c.arc(x, y, 7, 0, 2 * Math.PI);
    c.moveTo(x - 11, y);
    c.lineTo(x + 11, y);
    c.moveTo(x, y - 11);
    c.lineTo(x, y + 11);
    c.stroke();
    drawRow(digit, [decode(Float32Array.from(z))]);
    readout.textContent = 'z = (' + z[0].toFixed(2) + ', ' + z[1].toFixed(2) + ')';
    plane.setAttribute('aria-valuetext', readout.textContent);
  }
  const update = timed(root, render);

  function pointAt(event) {
    const rect = plane.getBoundingClientRect();
    const code = box.toCode((event.clientX - rect.left) * size / rect.width,
      (event.clientY - rect.top) * size / rect.height);
    z = clampToExtent(code, extent);
    update();
  }
  plane.addEventListener('pointermove', pointAt);
  plane.addEventListener('pointerdown', function (event) { pointAt(event); plane.focus(); });

  // Arrow keys move the point by 2 % of the extent, 10 % with Shift.
  const moves = {ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1]};
  plane.addEventListener('keydown', function (event) {
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    const step = event.shiftKey ? 0.1 : 0.02;
    z = clampToExtent([z[0] + move[0] * step * (extent[1] - extent[0]),
      z[1] + move[1] * step * (extent[3] - extent[2])], extent);
    update();
  });

  setDisplayScale(digit, 6);
  paintBackdrop();
  update();

  // The book's light/dark switch sets data-theme on <html>: repaint in the new colours.
  const html = document.documentElement;
  let theme = html.dataset.theme;
  new MutationObserver(function () {
    if (html.dataset.theme !== theme) {
      theme = html.dataset.theme;
      paintBackdrop();
      update();
    }
  }).observe(html, {attributes: true, attributeFilter: ['data-theme']});

  root.vt.setCode = function (code) { z = code.slice(); update(); };
  root.vt.prior = priorCircles(box, data.prior);  // for tests: where the circles are drawn
}
