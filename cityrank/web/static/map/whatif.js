// What-if weights (issue 9, OECD Better Life Index style): sliders for the first-level weights
// recompute every city's total from its first-level scores in the browser, re-rank (ties
// shared as the scoring core ranks them) and hand the result to the map (CityMap#setValues),
// which recolours and rewrites its table: no page load, no request.
//
// The arithmetic (totals, ranks) is plain functions over the values payload's `whatif` block
// (cityrank.service.mapclient.whatif), tested against the Python scoring core; the panel is
// built here from the page's config (every word from the catalogue: cfg.strings.whatif_*).
// State: `w=15,25,25,15,20` in the URL (the first-level order of the block), written through
// the map's state (the "cityrank:state" permalink) and read back on load; absent = published.

const RANK_DECIMALS = 1e6; // cityrank.scoring.aggregate.rank_desc: equal to 6 decimals

// The totals for the reader's weights `w` (one per block.ids entry, >= 0, positive sum).
export function totals(block, w) {
  const k = block.ids.length;
  const n = k ? block.points[0].length : 0;
  let sum = 0;
  for (let j = 0; j < k; j++) sum += w[j];
  const out = new Float64Array(n);
  const geo = block.aggregation === "geometric";
  const e = block.offset || 0;
  for (let j = 0; j < k; j++) {
    const share = w[j] / sum;
    if (share === 0) continue;
    const pts = block.points[j], pub = block.weights[j];
    for (let i = 0; i < n; i++) {
      const rate = pts[i] / pub;
      out[i] += geo ? share * Math.log(e + (1 - e) * Math.max(rate, 0)) : share * rate;
    }
  }
  for (let i = 0; i < n; i++) out[i] = block.total_max * (geo ? Math.exp(out[i]) : out[i]);
  for (const d of block.deductions || []) {
    for (let i = 0; i < n; i++) out[i] -= Math.min(d[i] || 0, Math.max(out[i], 0)); // aggregate.deduct
  }
  return out;
}

// Ranks (1 = best) with ties shared ("min"), equal to 6 decimals, as rank_desc.
export function ranks(values) {
  const n = values.length;
  const key = new Float64Array(n);
  for (let i = 0; i < n; i++) key[i] = Math.round(values[i] * RANK_DECIMALS);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => key[b] - key[a]);
  const out = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    const i = order[p];
    out[i] = p > 0 && key[order[p - 1]] === key[i] ? out[order[p - 1]] : p + 1;
  }
  return out;
}

// A values payload for the map: `base` (the published total's payload) re-ranked by the
// reader's weights; codes in (rank, code) order as the server sends them. No intervals: they
// are the published weights'. `w` in any unit (renormalised to shares).
export function reweigh(base, w) {
  const block = base.whatif;
  const vals = totals(block, w);
  const rk = ranks(vals);
  const order = Array.from(vals.keys()).sort((a, b) => rk[a] - rk[b] || (base.codes[a] < base.codes[b] ? -1 : 1));
  return {
    ...base, intervals: null, whatifWeights: w.slice(),
    codes: order.map((i) => base.codes[i]),
    values: order.map((i) => Math.round(vals[i] * 100) / 100),
    ranks: order.map((i) => rk[i]),
  };
}

// The published weights as the sliders show them: percentage points of the total.
export function publishedPercent(block) {
  return block.weights.map((w) => Math.round((1e9 * 100 * w) / block.total_max) / 1e9);
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text; // a live region speaks changes only
}

function sameWeights(a, b) {
  return a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) < 1e-9);
}

// `w=` of the URL -> weights, or null (absent, wrong count, negative, zero sum).
export function parseWeights(text, k) {
  if (!text) return null; // weights are percentage points of the total: 0-100 each
  const parts = String(text).split(",").map(Number);
  if (parts.length !== k || parts.some((x) => !Number.isFinite(x) || x < 0 || x > 100)) return null;
  return parts.reduce((a, b) => a + b, 0) > 0 ? parts : null;
}

function fmt(x) {
  return String(Math.round(x * 10) / 10);
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

function fill(template, params) {
  return template.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
}

// The panel and its hooks on one CityMap. Returns the controller (map.whatif), or null when
// the dataset's total cannot be recomputed (no block) or the surface does not offer it.
export function mountWhatIf(map) {
  const cfg = map.cfg;
  const base = map.payload && map.payload.whatif ? map.payload : null;
  const params = new URLSearchParams(window.location.search);
  const wanted = cfg.mode === "viewer" || (cfg.mode === "embed" && (params.get("whatif") === "1" || params.has("w")));
  if (!wanted || !(base || cfg.indicator !== "total")) return null;
  return new WhatIf(map, base, params.get("w"));
}

class WhatIf {
  constructor(map, base, urlWeights) {
    this.map = map;
    this.S = map.S;
    this.base = base;
    this.block = base ? base.whatif : null;
    this.pending = urlWeights;
    this.inputs = [];
    this.arithmetic = (w) => reweigh(this.base, w); // the recomputation alone (bench/bench_whatif.py)
    this.build();
    map.whatif = this;
    map.root.addEventListener("cityrank:state", () => this.sync());
    map.extraTooltip.push((code) => this.tooltipLine(code));
    if (this.block) this.restore(); else this.sync();
  }

  // --- the panel -------------------------------------------------------------------------
  build() {
    const S = this.S;
    const box = el("details", "cr-whatif");
    box.id = "cr-whatif";
    const summary = el("summary", "cr-whatif-summary", S.whatif_title);
    const body = el("div", "cr-whatif-body");
    this.note = el("p", "cr-whatif-note");
    this.note.setAttribute("role", "status");
    this.sliders = el("div", "cr-whatif-sliders");
    this.actions = el("div", "cr-whatif-actions");
    this.reset = el("button", "cr-whatif-reset", S.whatif_reset);
    this.reset.type = "button";
    this.reset.addEventListener("click", () => this.resetWeights());
    this.summaryLine = el("span", "cr-whatif-changed");
    this.actions.append(this.reset, this.summaryLine);
    body.append(this.note, this.sliders, this.actions);
    box.append(summary, body);
    this.box = box;
    this.map.root.before(box);
    if (this.block) this.buildSliders();
  }

  buildSliders() {
    const cfg = this.map.cfg;
    const labels = new Map(cfg.indicators.map((i) => [i.id, i.label]));
    this.published = publishedPercent(this.block);
    const integral = this.published.every((w) => Math.abs(w - Math.round(w)) < 1e-9);
    this.inputs = this.block.ids.map((id, j) => {
      const row = el("div", "cr-whatif-row");
      const input = el("input", "cr-whatif-range");
      input.type = "range";
      input.id = "cr-w-" + id;
      input.min = "0";
      input.max = "100";
      input.step = integral ? "1" : "any";
      input.value = String(this.published[j]);
      input.dataset.id = id;
      const label = el("label", "cr-whatif-label", labels.get(id) || id);
      label.htmlFor = input.id;
      const out = el("output", "cr-whatif-value");
      out.htmlFor = input.id;
      out.id = "cr-w-out-" + id;
      const pub = el("span", "cr-whatif-pub", fill(this.S.whatif_published, { value: fmt(this.published[j]) }));
      pub.id = "cr-w-pub-" + id;
      input.setAttribute("aria-describedby", out.id + " " + pub.id);
      input.addEventListener("input", () => this.onInput());
      row.append(label, input, out, pub);
      this.sliders.append(row);
      return input;
    });
  }

  weights() {
    return this.inputs.map((i) => Number(i.value));
  }

  // --- state -----------------------------------------------------------------------------
  restore() {
    const w = parseWeights(this.pending, this.block.ids.length);
    this.pending = null;
    if (!w) { this.sync(); return; }
    w.forEach((x, j) => { this.inputs[j].value = String(x); });
    this.box.open = true;
    this.apply();
  }

  onInput() {
    this.apply();
  }

  // Recompute and redraw for the sliders' weights (synchronous: one update, measured by
  // bench/bench_whatif.py). Published weights = the published payload itself.
  apply() {
    const t0 = performance.now();
    const w = this.weights();
    const sum = w.reduce((a, b) => a + b, 0);
    this.renderOutputs(w, sum);
    if (sum <= 0) { setText(this.note, this.S.whatif_all_zero); return; }
    const active = !sameWeights(w, this.published);
    this.map.state.w = active ? w.map(fmt).join(",") : false;
    this.setColumn(active);
    this.map.setValues(active ? reweigh(this.base, w) : this.base);
    this.lastMs = performance.now() - t0;
  }

  resetWeights() {
    this.published.forEach((x, j) => { this.inputs[j].value = String(x); });
    this.apply();
    if (this.inputs[0]) this.inputs[0].focus();
  }

  renderOutputs(w, sum) {
    this.inputs.forEach((input, j) => {
      const share = sum > 0 ? (100 * w[j]) / sum : 0;
      const text = fill(this.S.whatif_value, { value: fmt(w[j]), share: fmt(share) });
      const out = document.getElementById("cr-w-out-" + input.dataset.id);
      if (out) out.textContent = text;
      input.setAttribute("aria-valuetext", text);
    });
  }

  // After every redraw of the map ("cityrank:state"): the panel says what is shown.
  sync() {
    const map = this.map;
    const p = map.payload;
    const onTotal = map.state.indicator === "total";
    if (onTotal && p && p.whatif && p !== this.base && !p.whatifWeights) {
      this.base = p; // a fresh published payload (e.g. back from another indicator)
      const first = !this.block;
      this.block = p.whatif;
      if (first) { this.buildSliders(); this.restore(); return; }
      if (map.state.w) { this.apply(); return; }
    }
    this.box.hidden = onTotal && !(p && p.whatif);
    const active = Boolean(p && p.whatifWeights);
    this.box.classList.toggle("cr-whatif-active", active);
    this.inputs.forEach((i) => { i.disabled = !onTotal; });
    this.reset.disabled = !onTotal || !map.state.w;
    setText(this.note, !onTotal || !this.block ? this.S.whatif_total_only
      : active ? this.S.whatif_note_active : this.S.whatif_note);
    if (this.inputs.length) this.renderOutputs(this.weights(), this.weights().reduce((a, b) => a + b, 0));
    this.changeColumn(active);
    setText(this.summaryLine, active ? this.changedText() : "");
    this.badge(active);
    const ivBox = document.getElementById("f-intervals");
    if (ivBox && map.cfg.mode === "viewer" && active) ivBox.closest(".cr-iv-toggle").title = this.S.whatif_no_intervals;
    if (map.cfg.mode === "embed") this.writeUrl();
  }

  // the map's caption says whose weights it shows
  badge(active) {
    const head = this.map.root.querySelector(".cr-head");
    let mark = head && head.querySelector(".cr-whatif-badge");
    if (active && head && !mark) {
      mark = el("span", "cr-whatif-badge", this.S.whatif_badge);
      mark.title = this.S.whatif_note_active;
      head.append(mark);
    } else if (!active && mark) {
      mark.remove();
    }
  }

  writeUrl() {
    const url = new URL(window.location.href);
    if (this.map.state.w) url.searchParams.set("w", this.map.state.w); else url.searchParams.delete("w");
    window.history.replaceState(null, "", url);
  }

  publishedRank(code) {
    if (!this.publishedRanks || this.publishedRanks.base !== this.base) {
      const m = new Map(this.base.codes.map((c, i) => [c, this.base.ranks[i]]));
      this.publishedRanks = { base: this.base, m };
    }
    return this.publishedRanks.m.get(code);
  }

  changedText() {
    const p = this.map.payload;
    let moved = 0;
    p.codes.forEach((c, i) => { if (this.publishedRank(c) !== p.ranks[i]) moved += 1; });
    return fill(this.S.whatif_changed, { moved, n: p.n });
  }

  tooltipLine(code) {
    const p = this.map.payload;
    if (!p || !p.whatifWeights) return null;
    return fill(this.S.whatif_tip_published, { rank: this.publishedRank(code) });
  }

  // the data table: the published rank beside the reader's while what-if weights are active
  // (a column of the map's table, CityMap#extraColumns, filled as the table is written)
  cell(code) {
    const mine = this.map.byCode.get(code);
    if (!this.map.payload.whatifWeights || !mine) return "";
    const pub = this.publishedRank(code);
    const d = pub - mine.rank;
    return pub + (d ? " (" + (d > 0 ? "↑" : "↓") + Math.abs(d) + ")" : "");
  }

  setColumn(on) {
    const cols = this.map.extraColumns;
    if (!this.column) this.column = { cell: (code) => this.cell(code) };
    const i = cols.indexOf(this.column);
    if (on && i < 0) cols.push(this.column);
    if (!on && i >= 0) cols.splice(i, 1);
  }

  changeColumn(active) {
    this.setColumn(active);
    const table = this.map.root.querySelector("table.cr-table");
    const head = table && table.tHead && table.tHead.rows[0];
    if (!head) return;
    let th = head.querySelector("th.cr-whatif-col");
    if (active && !th) {
      th = el("th", "cr-whatif-col", this.S.whatif_col_published);
      th.scope = "col";
      head.append(th);
    } else if (!active && th) {
      th.remove();
    }
  }
}
