// The optimizer explorer: draws the paths the build computed (JSON in #d2l-explorer-data).
// Plain JavaScript and SVG, no library, no network; it computes nothing but screen positions.
(function () {
  "use strict";
  const root = document.getElementById("d2l-explorer");
  const data = JSON.parse(document.getElementById("d2l-explorer-data").textContent);
  const SVG = "http://www.w3.org/2000/svg";
  const W = 640, H = 400, M = {left: 52, right: 14, top: 14, bottom: 40};
  const state = {method: data.methods[0], surface: data.surfaces[0], lr: 0, second: 0, step: data.steps};

  function el(tag, attrs, parent, text) {
    const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }
  function nearest(values, target) {
    let best = 0;
    values.forEach((v, i) => { if (Math.abs(Math.log(v) - Math.log(target)) < Math.abs(Math.log(values[best]) - Math.log(target))) best = i; });
    return best;
  }
  function number(v) {
    if (v === 0) return "0";
    const a = Math.abs(v);
    if (a >= 1e4 || a < 1e-3) return v.toExponential(2).replace("e+", "e").replace(/-/g, "−");
    return parseFloat(v.toPrecision(4)).toString().replace(/-/g, "−");
  }
  // a coordinate with the decimals the data holds (a path's point is rounded to about a pixel)
  function coordinate(v, decimals) { return v.toFixed(decimals).replace(/^-(0\.?0*)$/, "$1").replace("-", "−"); }

  // ---- the controls
  const presets = el("div", {class: "dx-presets"}, root);
  el("span", {class: "dx-caption"}, presets, "Try:");
  const controls = el("div", {class: "dx-controls"}, root);
  function select(label, items, cls) {
    const wrap = el("label", {class: cls}, controls);
    el("span", {}, wrap, label);
    const node = el("select", {}, wrap);
    items.forEach((item, i) => el("option", {value: i}, node, item.label));
    return node;
  }
  const methodSelect = select("Optimizer", data.methods, "dx-method");
  const surfaceSelect = select("Objective", data.surfaces, "dx-surface");
  function slider(cls, label) {
    const wrap = el("label", {class: "dx-slider " + cls}, root.querySelector(".dx-sliders") || el("div", {class: "dx-sliders"}, root));
    const name = el("span", {class: "dx-name"}, wrap, label);
    const input = el("input", {type: "range", min: 0, step: 1}, wrap);
    const out = el("output", {}, wrap);
    return {wrap, name, input, out};
  }
  const lrSlider = slider("dx-lr", "learning rate η");
  lrSlider.input.max = data.lrs.length - 1;
  const secondSlider = slider("dx-second", "");
  const stepSlider = slider("dx-step", "steps shown");
  stepSlider.input.max = data.steps;
  const rule = el("p", {class: "dx-rule"}, root);
  const figure = el("div", {class: "dx-figure"}, root);
  const svg = el("svg:svg", {viewBox: `0 0 ${W} ${H}`, class: "dx-plot", role: "img"}, figure);
  const readout = el("p", {class: "dx-readout", "aria-live": "polite"}, root);
  const sweepTitle = el("p", {class: "dx-sweep-title"}, root);
  const sweep = el("svg:svg", {viewBox: `0 0 ${W} 150`, class: "dx-sweep", role: "img"}, root);
  el("p", {class: "dx-note"}, root,
     `Paths computed by the build on ${data.checked.backends.join(", ")} (they agree ${data.checked.policy})` +
     (data.checked.failed.length ? `; not computed on ${data.checked.failed.join(", ")}.` : "."));

  data.presets.forEach(p => {
    const button = el("button", {type: "button"}, presets, p.label);
    button.addEventListener("click", () => {
      setMethod(data.methods.findIndex(m => m.key === p.method));
      state.surface = data.surfaces.find(s => s.key === p.surface);
      surfaceSelect.value = data.surfaces.indexOf(state.surface);
      if (p.lr !== null) state.lr = nearest(data.lrs, p.lr);
      if (p.second !== null) state.second = state.method.second.values.indexOf(p.second);
      state.step = data.steps;
      draw();
    });
  });

  function setMethod(index) {
    state.method = data.methods[index];
    methodSelect.value = index;
    const [lr, second] = state.method.defaults;
    if (lr !== null) state.lr = nearest(data.lrs, lr);
    state.second = state.method.second ? Math.max(0, state.method.second.values.indexOf(second)) : 0;
  }
  methodSelect.addEventListener("change", () => { setMethod(+methodSelect.value); draw(); });
  surfaceSelect.addEventListener("change", () => { state.surface = data.surfaces[+surfaceSelect.value]; draw(); });
  lrSlider.input.addEventListener("input", () => { state.lr = +lrSlider.input.value; draw(); });
  secondSlider.input.addEventListener("input", () => { state.second = +secondSlider.input.value; draw(); });
  stepSlider.input.addEventListener("input", () => { state.step = +stepSlider.input.value; draw(); });

  function runIndex(lrIndex, secondIndex) {
    return state.method.lr ? secondIndex * data.lrs.length + lrIndex : secondIndex;
  }
  function current() {
    const runs = data.runs[state.method.key + "/" + state.surface.key];
    const i = runIndex(state.lr, state.second);
    const flat = runs.paths[i], points = [];
    for (let k = 0; k < flat.length; k += 2) points.push([flat[k], flat[k + 1]]);
    return {runs, index: i, points, value: runs.values[i], diverged: runs.diverged[i], end: runs.ends[i]};
  }

  // ---- the plot: data box -> screen
  function frame(surface) {
    const pw = W - M.left - M.right, ph = H - M.top - M.bottom;
    let [x0, x1] = surface.box[0], y0, y1;
    if (surface.dims === 2) {
      [y0, y1] = surface.box[1];
      const s = Math.min(pw / (x1 - x0), ph / (y1 - y0));  // one unit is as long on both axes
      const left = M.left + (pw - s * (x1 - x0)) / 2, top = M.top + (ph - s * (y1 - y0)) / 2;
      return {x0, x1, y0, y1, left, top, width: s * (x1 - x0), height: s * (y1 - y0)};
    }
    const low = Math.min(...surface.curve), high = Math.max(...surface.curve), pad = 0.08 * (high - low);
    return {x0, x1, y0: low - pad, y1: high + pad, left: M.left, top: M.top, width: pw, height: ph};
  }
  function px(f, p) {
    return [f.left + (p[0] - f.x0) / (f.x1 - f.x0) * f.width, f.top + (f.y1 - p[1]) / (f.y1 - f.y0) * f.height];
  }
  function ticks(low, high, count) {
    const raw = (high - low) / count, p = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map(m => m * p).find(s => s >= raw);
    const out = [];
    for (let v = Math.ceil(low / step) * step; v <= high + 1e-9; v += step) out.push(Math.abs(v) < 1e-12 ? 0 : v);
    return out;
  }
  function pointsAttr(f, points) { return points.map(p => px(f, p).map(v => v.toFixed(2)).join(",")).join(" "); }
  function inside(f, p) { return p[0] >= f.x0 && p[0] <= f.x1 && p[1] >= f.y0 && p[1] <= f.y1; }
  function exitPoint(f, a, b) {  // where the segment a -> b crosses the border of the box
    let t = 1;
    [[0, f.x0, f.x1], [1, f.y0, f.y1]].forEach(([d, low, high]) => {
      if (b[d] > high) t = Math.min(t, (high - a[d]) / (b[d] - a[d]));
      if (b[d] < low) t = Math.min(t, (low - a[d]) / (b[d] - a[d]));
    });
    return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
  }

  function drawAxes(f, surface) {
    const g = el("svg:g", {class: "dx-axes"}, svg);
    el("svg:rect", {x: f.left, y: f.top, width: f.width, height: f.height, class: "dx-frame"}, g);
    ticks(f.x0, f.x1, 7).forEach(v => {
      const [x] = px(f, [v, f.y0]);
      el("svg:line", {x1: x, x2: x, y1: f.top + f.height, y2: f.top + f.height + 5}, g);
      el("svg:text", {x, y: f.top + f.height + 18, "text-anchor": "middle"}, g, number(v));
    });
    ticks(f.y0, f.y1, 5).forEach(v => {
      const [, y] = px(f, [f.x0, v]);
      el("svg:line", {x1: f.left - 5, x2: f.left, y1: y, y2: y}, g);
      el("svg:text", {x: f.left - 8, y: y + 4, "text-anchor": "end"}, g, number(v));
    });
    const names = surface.dims === 2 ? ["x₁", "x₂"] : ["x", "f(x)"];
    el("svg:text", {x: f.left + f.width / 2, y: H - 6, "text-anchor": "middle", class: "dx-label"}, g, names[0]);
    el("svg:text", {x: 14, y: f.top + f.height / 2, "text-anchor": "middle", class: "dx-label",
                    transform: `rotate(-90 14 ${f.top + f.height / 2})`}, g, names[1]);
  }

  function drawSurface(f, surface) {
    const g = el("svg:g", {class: "dx-surface-lines", "clip-path": "url(#dx-clip)"}, svg);
    if (surface.dims === 2) {
      surface.contours.forEach((c, i) => c.lines.forEach(line => {
        const points = [];
        for (let k = 0; k < line.length; k += 2) points.push([line[k], line[k + 1]]);
        el("svg:polyline", {points: pointsAttr(f, points), class: "dx-contour",
                            "stroke-opacity": (0.35 + 0.5 * i / surface.contours.length).toFixed(2)}, g);
      }));
    } else {
      const n = surface.curve.length, [a, b] = surface.box[0];
      const points = surface.curve.map((y, k) => [a + (b - a) * k / (n - 1), y]);
      el("svg:polyline", {points: pointsAttr(f, points), class: "dx-curve"}, g);
    }
    surface.stationary.forEach(s => {
      const [x, y] = px(f, surface.dims === 2 ? s.x : [s.x[0], f.y0]);
      if (surface.dims === 2) el("svg:path", {d: star(x, y, 7), class: "dx-stationary dx-" + s.kind}, g);
      else el("svg:path", {d: `M${x} ${y - 1}l-5 8h10z`, class: "dx-stationary dx-" + s.kind}, g);
    });
  }
  function star(x, y, r) {
    let d = "";
    for (let k = 0; k < 10; k++) {
      const a = Math.PI / 2 + k * Math.PI / 5, rr = k % 2 ? r * 0.45 : r;
      d += (k ? "L" : "M") + (x + rr * Math.cos(a)).toFixed(2) + " " + (y - rr * Math.sin(a)).toFixed(2);
    }
    return d + "Z";
  }

  function drawRun(f, run) {
    const shown = run.points.slice(0, state.step + 1);
    const g = el("svg:g", {class: "dx-run"}, svg);
    const clipped = el("svg:g", {"clip-path": "url(#dx-clip)"}, g);
    el("svg:polyline", {points: pointsAttr(f, shown), class: "dx-path", "data-run": run.index}, clipped);
    shown.forEach((p, k) => {
      const [x, y] = px(f, p);
      const last = k === shown.length - 1;
      el("svg:circle", {cx: x.toFixed(2), cy: y.toFixed(2), r: k === 0 || last ? 5 : 3,
                        class: k === 0 ? "dx-start" : last ? "dx-end" : "dx-point"}, clipped);
    });
    const last = shown.length - 1;
    if (!inside(f, shown[last])) {  // the path ends off the plot: mark where it left for the last time
      let k = last;
      while (k > 0 && !inside(f, shown[k - 1])) k--;
      if (k === 0) return;
      const [x, y] = px(f, exitPoint(f, shown[k - 1], shown[k]));
      el("svg:circle", {cx: x.toFixed(2), cy: y.toFixed(2), r: 7, class: "dx-exit"}, g);
      el("svg:path", {d: `M${x - 4} ${y - 4}L${x + 4} ${y + 4}M${x + 4} ${y - 4}L${x - 4} ${y + 4}`,
                      class: "dx-exit-cross"}, g);
      const right = x > f.left + f.width / 2;
      el("svg:text", {x: x + (right ? -12 : 12), y: Math.min(Math.max(y + 4, f.top + 14), f.top + f.height - 6),
                      "text-anchor": right ? "end" : "start", class: "dx-exit-label"}, g,
         `off the plot from step ${k}`);
    }
  }

  function drawSweep(run) {
    while (sweep.firstChild) sweep.removeChild(sweep.firstChild);
    if (!state.method.lr) { sweep.style.display = sweepTitle.style.display = "none"; return; }
    sweep.style.display = sweepTitle.style.display = "";
    const values = data.lrs.map((_, i) => run.runs.values[runIndex(i, state.second)]);
    const finite = values.filter(v => v !== null);
    const positive = finite.length && finite.every(v => v > 0);
    const t = v => positive ? Math.log10(v) : v;
    sweepTitle.textContent = `Value after ${data.steps} steps for every learning rate` +
      (state.method.second ? ` (${state.method.second.symbol} = ${state.method.second.values[state.second]})` : "") +
      "; the current one is circled, × marks a run that diverged" + (positive ? " (log scale)." : ".");
    const lo = Math.min(...finite.map(t)), hi = Math.max(...finite.map(t)), span = (hi - lo) || 1;
    const f = {left: 76, width: W - 76 - M.right, top: 10, height: 110};
    const sx = i => f.left + (Math.log(data.lrs[i]) - Math.log(data.lrs[0])) /
      (Math.log(data.lrs[data.lrs.length - 1]) - Math.log(data.lrs[0])) * f.width;
    const sy = v => v === null ? f.top : f.top + f.height - (t(v) - lo) / span * f.height;
    el("svg:rect", {x: f.left, y: f.top, width: f.width, height: f.height, class: "dx-frame"}, sweep);
    [0.01, 0.1, 1].forEach(v => {
      const i = data.lrs.indexOf(v);
      if (i < 0) return;
      el("svg:text", {x: sx(i), y: f.top + f.height + 16, "text-anchor": "middle"}, sweep, "η = " + v);
    });
    [[lo, f.top + f.height], [hi, f.top + 10]].forEach(([v, y]) => el("svg:text", {x: f.left - 8, y, "text-anchor": "end"},
      sweep, number(positive ? Math.pow(10, v) : v)));
    const line = values.map((v, i) => v === null ? null : `${sx(i).toFixed(2)},${sy(v).toFixed(2)}`).filter(Boolean);
    el("svg:polyline", {points: line.join(" "), class: "dx-sweep-line"}, sweep);
    values.forEach((v, i) => {
      if (v === null) el("svg:text", {x: sx(i), y: f.top + 9, "text-anchor": "middle", class: "dx-sweep-diverged"}, sweep, "×");
      else el("svg:circle", {cx: sx(i).toFixed(2), cy: sy(v).toFixed(2), r: 2.5, class: "dx-sweep-point"}, sweep);
    });
    el("svg:circle", {cx: sx(state.lr).toFixed(2), cy: sy(values[state.lr]).toFixed(2), r: 7, class: "dx-sweep-current"}, sweep);
  }

  function draw() {
    const method = state.method, surface = state.surface;
    lrSlider.wrap.style.display = method.lr ? "" : "none";
    lrSlider.input.value = state.lr;
    lrSlider.out.textContent = data.lrs[state.lr];
    secondSlider.wrap.style.display = method.second ? "" : "none";
    if (method.second) {
      secondSlider.name.textContent = method.second.symbol;
      secondSlider.input.max = method.second.values.length - 1;
      secondSlider.input.value = state.second;
      secondSlider.out.textContent = method.second.values[state.second];
    }
    stepSlider.input.value = state.step;
    stepSlider.out.textContent = `${state.step} of ${data.steps}`;
    rule.textContent = `${method.label}:  ${method.rule}      Objective: ${surface.formula}`;

    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const f = frame(surface);
    const clip = el("svg:clipPath", {id: "dx-clip"}, el("svg:defs", {}, svg));
    el("svg:rect", {x: f.left, y: f.top, width: f.width, height: f.height}, clip);
    drawAxes(f, surface);
    drawSurface(f, surface);
    const run = current();
    drawRun(f, run);

    const last = run.points[Math.min(state.step, run.points.length - 1)];
    // where the run ends, as the lesson prints it; at an earlier step, the digits its point holds
    const xs = state.step >= data.steps && run.end !== null ? run.end.map(v => v.replace("-", "−")) :
      last.slice(0, surface.dims).map(v => coordinate(v, data.decimals[surface.key]));
    const where = surface.dims === 2 ? `x = (${xs[0]}, ${xs[1]})` : `x = ${xs[0]}`;
    readout.textContent = "";
    if (run.diverged !== null) {
      el("strong", {class: "dx-value dx-diverged"}, readout, "diverged");
      el("span", {}, readout, ` — at step ${run.diverged} the run was more than ${data.far} plot widths away` +
         (state.step < run.diverged ? `; step ${state.step}: ${where}` : ""));
    } else {
      el("span", {}, readout, `After ${data.steps} steps: f(x) = `);
      el("strong", {class: "dx-value"}, readout, number(run.value));
      el("span", {}, readout, state.step < data.steps ? `  ·  step ${state.step}: ${where}` : `  at ${where}`);
    }
    if (run.runs.sensitive.includes(run.index)) {
      el("span", {class: "dx-sensitive"}, readout, ` ⚠ Chaotic: moving the start by ${data.nudge} moves this path, so each ` +
         `framework's rounding gives a different one (${data.checked.backends[0]}'s is shown).`);
    }
    drawSweep(run);
  }

  setMethod(0);
  draw();
  root.dataset.ready = "true";
})();
