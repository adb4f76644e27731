// cityrank's map client: ONE ES module for the viewer, the embeds, region/cluster pages and
// `cityrank publish`. Leaflet draws the TopoJSON (topojson-client decodes it); the classes
// are computed here (classify.js, equal to cityrank.geo.classify), so another indicator,
// classification or class count recolours the map without a page load. Every word comes
// from the page's config (the server's catalogue); every name is set with textContent.
//
// Data flow: <script type="application/json" class="cr-config"> (dataset, indicator, strings,
// colours, URLs, the first values) -> fetch(urls.topology) (immutable, shared by every page)
// -> draw -> on a change: fetch(urls.values?indicator=) (small, ETag'd) -> recolour.
//
// Hooks for later surfaces (issue 9): CityMap#setValues(payload) takes any values (e.g. what-if
// totals computed in the browser), CityMap#extraTooltip / #extraColumns add interval lines and
// table columns, and the "cityrank:state" event carries the state for permalinks. Rank
// intervals ride on the values: payload.intervals (the total's, from the server) gives the
// tooltip its interval lines, the table its interval column and the interval view (state
// .intervals, the viewer's #f-intervals) its hatching; values without them show none.
import { classify, pyFixed } from "./classify.js";
import { mountWhatIf } from "./whatif.js";
import { insetSvg } from "./inset.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const HATCHED = ["no_data", "hmt", "taiwan"];

function fill(template, params) {
  return template.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

// Mercator y of a latitude (radians-based; only differences matter)
function mercY(lat) {
  return Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
}

function latOfMercY(y) {
  return (360 / Math.PI) * Math.atan(Math.exp(y)) - 90;
}

export class CityMap {
  constructor(root, cfg) {
    this.root = root;
    this.cfg = cfg;
    this.S = cfg.strings;
    this.lang = cfg.lang;
    this.state = { indicator: cfg.indicator, classification: cfg.classification, k: cfg.k };
    this.state.intervals = Boolean(cfg.intervals); // the rank-interval view (issue 9)
    this.extraTooltip = [];
    this.extraColumns = [];
    this.layers = new Map();
    this.canvas = root.querySelector(".cr-canvas");
    this.live = root.querySelector(".cr-live");
    this.focused = null;
  }

  // --- start-up -----------------------------------------------------------------------
  async start() {
    const loading = this.root.querySelector(".cr-loading");
    const timer = setTimeout(() => { if (loading) loading.hidden = false; }, 300);
    try {
      const u = this.cfg.urls;
      const [topo, names] = await Promise.all([this.fetchJSON(u.topology), u.names ? this.fetchJSON(u.names) : null]);
      this.setValues(this.cfg.values, { silent: true });
      this.draw(topo, names);
      this.recolour();
      this.bindControls();
      mountWhatIf(this); // what-if weights (whatif.js): sliders -> setValues, state.w in the URL
      this.root.classList.add("cr-ready");
      this.root.dispatchEvent(new CustomEvent("cityrank:drawn", { bubbles: true }));
    } catch (err) {
      if (loading) { loading.hidden = false; loading.textContent = this.S.load_failed; }
      throw err;
    } finally {
      clearTimeout(timer);
      if (loading && this.root.classList.contains("cr-ready")) loading.hidden = true;
    }
  }

  async fetchJSON(url) {
    const r = await fetch(url, { credentials: "same-origin" });
    if (!r.ok) throw new Error(url + ": HTTP " + r.status);
    return r.json();
  }

  // --- geometry -----------------------------------------------------------------------
  // topo: the geometry with the Chinese names (topo.names, in the units' order; topo.provinces:
  // code prefix -> name); names: the English ones in the same shape (English pages, and the
  // pinyin the search finds; not the embeds)
  draw(topo, names) {
    const L = window.L;
    const cfg = this.cfg;
    this.provinces = (this.lang === "en" && names ? names : topo).provinces || {};
    this.units = window.topojson.feature(topo, topo.objects.units).features;
    this.units.forEach((u, i) => { u.properties = { n: topo.names[i], e: names ? names.names[i] : null }; });
    const map = L.map(this.canvas, {
      zoomSnap: 0, zoomDelta: 0.5, minZoom: 2, maxZoom: 9, attributionControl: false,
      zoomControl: false, keyboard: false, renderer: L.svg({ padding: 0.3 }),
      worldCopyJump: false, maxBoundsViscosity: 0.8,
    });
    this.map = map;
    L.control.zoom({ position: "topleft", zoomInTitle: this.S.zoom_in, zoomOutTitle: this.S.zoom_out,
      zoomInText: "+", zoomOutText: "−" }).addTo(map);
    L.control.attribution({ position: "bottomleft", prefix: false })
      .addAttribution('<a href="https://leafletjs.com">Leaflet</a>').addTo(map);
    this.fit();
    this.unitLayer = L.geoJSON({ type: "FeatureCollection", features: this.units }, {
      style: (f) => this.baseStyle(f.id),
      onEachFeature: (f, layer) => {
        this.layers.set(f.id, layer);
        layer.bindTooltip(() => this.tooltip(f.id), { sticky: true, direction: "top", className: "cr-tip", opacity: 1 });
        layer.on("click", () => this.open(f.id));
      },
    }).addTo(map);
    const units = topo.objects.units;
    const mesh = (filter) => window.topojson.mesh(topo, units, filter);
    const line = (geo, cls) => L.geoJSON(geo, { interactive: false, style: { className: cls, fill: false } }).addTo(map);
    this.outlines = [mesh((a, b) => a !== b && a.id.slice(0, 2) !== b.id.slice(0, 2)), mesh((a, b) => a === b)];
    line(this.outlines[0], "cr-province");
    line(this.outlines[1], "cr-coast");
    this.lineFeatures = topo.objects.lines ? window.topojson.feature(topo, topo.objects.lines).features : [];
    line({ type: "FeatureCollection", features: this.lineFeatures }, "cr-line");
    this.addPatterns();
    this.addInset();
    this.addTaiwanLabel();
    for (const layer of this.layers.values()) {
      const path = layer.getElement && layer.getElement();
      if (path) { path.setAttribute("tabindex", "-1"); path.setAttribute("focusable", "false"); }
    }
    map.on("resize", () => { this.placeInset(); if (!this.moved) this.fit(); });
    map.on("zoomend moveend", () => { this.placeInset(); this.saveView(); this.printLinks(); });
    map.on("movestart", (e) => { if (e.hard !== true && this.fitted) this.moved = this.userMove; });
    for (const ev of ["pointerdown", "wheel"]) this.canvas.addEventListener(ev, () => { this.userMove = true; }, { passive: true });
    this.restoreView();
    this.bindKeys();
  }

  fit() {
    const g = this.cfg.group;
    this.fitted = false;
    if (g && g.members && g.members.length && this.layers && this.layers.size) {
      const b = window.L.latLngBounds([]);
      for (const c of g.members) { const l = this.layers.get(c); if (l) b.extend(l.getBounds()); }
      if (b.isValid()) { this.map.fitBounds(b, { padding: [8, 8], animate: false }); this.fitted = true; return; }
    }
    this.map.fitBounds(this.cfg.bounds, { padding: [2, 2], animate: false });
    this.fitted = true;
  }

  addPatterns() {
    const svg = this.map.getPanes().overlayPane.querySelector("svg");
    if (!svg) return;
    const defs = document.createElementNS(SVG_NS, "defs");
    for (const [status, st] of Object.entries(this.cfg.status)) {
      if (!st.hatch) continue;
      const p = document.createElementNS(SVG_NS, "pattern");
      p.setAttribute("id", "cr-hatch-" + status);
      p.setAttribute("patternUnits", "userSpaceOnUse");
      p.setAttribute("width", "5");
      p.setAttribute("height", "5");
      p.setAttribute("patternTransform", "rotate(45)");
      const bg = document.createElementNS(SVG_NS, "rect");
      bg.setAttribute("width", "5"); bg.setAttribute("height", "5"); bg.setAttribute("fill", st.fill);
      const ln = document.createElementNS(SVG_NS, "line");
      ln.setAttribute("x1", "0"); ln.setAttribute("y1", "0"); ln.setAttribute("x2", "0"); ln.setAttribute("y2", "5");
      ln.setAttribute("stroke", st.edge); ln.setAttribute("stroke-width", "1.2");
      p.append(bg, ln);
      defs.append(p);
    }
    const partial = document.createElementNS(SVG_NS, "pattern");
    partial.setAttribute("id", "cr-hatch-partial");
    partial.setAttribute("patternUnits", "userSpaceOnUse");
    partial.setAttribute("width", "6"); partial.setAttribute("height", "6");
    partial.setAttribute("patternTransform", "rotate(-45)");
    const pl = document.createElementNS(SVG_NS, "line");
    pl.setAttribute("x1", "0"); pl.setAttribute("y1", "0"); pl.setAttribute("x2", "0"); pl.setAttribute("y2", "6");
    pl.setAttribute("class", "cr-partial-line");
    partial.append(pl);
    defs.append(partial);
    svg.prepend(defs);
  }

  // The 南海诸岛 inset (drawn from the TopoJSON: inset.js): over open sea east of Taiwan
  // (cfg.inset_box), anchored at its bottom-right corner; its width follows the map's scale, so
  // it never reaches land.
  addInset() {
    const box = el("div", "cr-inset");
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", this.S.inset_title);
    box.append(insetSvg(this.units, this.lineFeatures, this.cfg.scs_box, this.outlines));
    box.append(el("div", "cr-inset-title", this.S.inset_title));
    this.map.getContainer().append(box);
    window.L.DomEvent.disableClickPropagation(box);
    window.L.DomEvent.disableScrollPropagation(box);
    this.inset = box;
    this.placeInset();
  }

  // The caption in at most two lines and never wider than the inset: smaller type on small
  // maps (an English caption is four words), down to 6 px.
  fitInsetTitle() {
    const title = this.inset.querySelector(".cr-inset-title");
    if (!title) return;
    title.style.fontSize = "";
    const fits = () => {
      const cs = getComputedStyle(title);
      const lines = (title.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom)) / parseFloat(cs.lineHeight);
      return title.scrollWidth <= title.clientWidth && lines <= 2.1;
    };
    for (let px = parseFloat(getComputedStyle(title).fontSize); !fits() && px > 6; px -= 0.5) {
      title.style.fontSize = px - 0.5 + "px";
    }
  }

  placeInset() {
    if (!this.inset || !this.map) return;
    const [[lat0, lon0], [lat1, lon1]] = this.cfg.inset_box;
    const sw = this.map.latLngToContainerPoint([lat0, lon0]);
    const se = this.map.latLngToContainerPoint([lat0, lon1]);
    const ne = this.map.latLngToContainerPoint([lat1, lon1]);
    const maxH = sw.y - ne.y;
    let w = se.x - sw.x;
    this.inset.style.width = w + "px";
    this.fitInsetTitle();
    // shrink until it fits below the box's top (long English captions wrap)
    for (let i = 0; i < 8 && this.inset.offsetHeight > maxH; i++) {
      w *= 0.9;
      this.inset.style.width = w + "px";
      this.fitInsetTitle();
    }
    this.inset.style.left = se.x - w + "px";
    this.inset.style.top = se.y - this.inset.offsetHeight + "px";
  }

  addTaiwanLabel() {
    const code = this.cfg.taiwan;
    const layer = this.layers.get(code);
    if (!layer || this.status(code) === "scored") return;
    // the main island: the largest ring's box (the layer's box includes Diaoyu)
    let best = null;
    const ll = layer.getLatLngs();
    const rings = Array.isArray(ll[0][0]) ? ll.flat(1) : ll;
    for (const ring of rings) {
      const b = window.L.latLngBounds(ring);
      const area = (b.getNorth() - b.getSouth()) * (b.getEast() - b.getWest());
      if (!best || area > best.area) best = { b, area };
    }
    // below the island's southern tip, over the sea: clear of the mainland and the inset
    const c = best.b.getCenter();
    // the on-map label is short (the legend words it in full): it must fit below the island
    const text = el("div", "cr-label", this.S.taiwan_label);
    window.L.marker([best.b.getSouth() - 0.25, c.lng], {
      icon: window.L.divIcon({ html: text, className: "cr-label-icon", iconSize: null }),
      interactive: false, keyboard: false,
    }).addTo(this.map);
  }

  // --- values, classes, colours ---------------------------------------------------------
  setValues(payload, opts = {}) {
    this.payload = payload;
    this.byCode = new Map();
    payload.codes.forEach((c, i) => this.byCode.set(c, { value: payload.values[i], rank: payload.ranks[i], i }));
    this.noData = new Set(payload.no_data || []);
    this.hmt = new Set(payload.hmt || []);
    if (!opts.silent && this.map) this.recolour();
  }

  status(code) {
    if (this.byCode.has(code)) return "scored";
    if (code === this.cfg.taiwan && (this.hmt.has(code) || !this.byCode.has(code))) return "taiwan";
    if (this.hmt.has(code)) return "hmt";
    if (this.noData.has(code)) return "no_data";
    return "not_evaluated";
  }

  name(code) {
    const f = this.unitProps(code);
    return (this.payload.names && this.payload.names[code]) || (f && f.n) || code;
  }

  unitProps(code) {
    if (!this.propsByCode) this.propsByCode = new Map(this.units.map((u) => [u.id, u.properties || {}]));
    return this.propsByCode.get(code);
  }

  displayName(code) {
    const zh = this.name(code);
    const p = this.unitProps(code);
    return this.lang === "en" && p && p.e ? p.e + " " + zh : zh;
  }

  baseStyle(code) {
    const st = this.status(code);
    const cls = "cr-unit " + (st === "scored" ? "cr-scored" : "cr-context cr-" + st);
    return { className: cls, weight: st === "scored" ? 0.6 : 0.5, fillOpacity: 1, ...this.fillFor(code) };
  }

  fillFor(code) {
    const st = this.status(code);
    if (st === "scored" && this.classes) {
      const c = this.classes.yb[this.byCode.get(code).i];
      return { fillColor: c < 0 ? this.cfg.status.no_data.fill : this.colours[c] };
    }
    const s = this.cfg.status[st] || this.cfg.status.not_evaluated;
    return { fillColor: s.hatch ? "url(#cr-hatch-" + st + ")" : s.fill };
  }

  classify() {
    const { classification, k } = this.state;
    const pub = this.cfg.published || {}; // an embed of other classes goes without the bands
    this.classes = classify(this.payload.values, classification, k, { bins: pub.bins, bandLabels: pub.labels });
    this.colours = this.cfg.palettes[String(this.classes.labels.length)];
  }

  recolour() {
    const t0 = performance.now();
    this.classify();
    const group = this.cfg.group;
    const members = group ? new Set(group.members) : null;
    const partial = group ? new Set(group.partial) : null;
    for (const [code, layer] of this.layers) {
      const style = this.fillFor(code);
      layer.setStyle(style);
      const path = layer.getElement && layer.getElement();
      if (path && members) {
        path.classList.toggle("cr-outside", !members.has(code));
        path.classList.toggle("cr-member", members.has(code));
        path.classList.toggle("cr-partial", partial.has(code));
      }
    }
    this.drawPartial();
    this.drawUncertain();
    this.renderLegend();
    this.renderTable();
    this.renderText();
    this.lastRecolourMs = performance.now() - t0;
    this.emitState();
  }

  // partial members of a cluster: a hatch drawn over their class colour
  drawPartial() {
    const g = this.cfg.group;
    if (!g || !g.partial || !g.partial.length || this.partialLayer) return;
    const feats = this.units.filter((u) => g.partial.includes(u.id));
    this.partialLayer = window.L.geoJSON({ type: "FeatureCollection", features: feats }, {
      interactive: false, style: { className: "cr-partial-hatch", fillColor: "url(#cr-hatch-partial)", fillOpacity: 1, weight: 2 },
    }).addTo(this.map);
  }

  indicatorLabel() {
    const ind = this.cfg.indicators.find((i) => i.id === this.state.indicator);
    return ind ? ind.label : this.state.indicator;
  }

  renderLegend() {
    const box = this.root.querySelector(".cr-legend");
    if (!box) return;
    box.replaceChildren();
    box.append(el("span", "cr-legend-title", this.indicatorLabel()));
    const list = el("ul", "cr-legend-rows");
    const row = (fillColor, label, extra) => {
      const li = el("li", "cr-legend-row");
      const sw = el("span", "cr-swatch" + (extra ? " " + extra : ""));
      if (fillColor) sw.style.background = fillColor;
      li.append(sw, document.createTextNode(label));
      list.append(li);
      return li;
    };
    this.classes.labels.forEach((label, i) => {
      row(this.colours[i], label).dataset.count = this.classes.counts[i];
    });
    const present = new Set([...this.layers.keys()].map((c) => this.status(c)));
    for (const st of ["not_evaluated", "no_data", "hmt", "taiwan"]) {
      if (!present.has(st)) continue;
      const label = st === "taiwan" ? this.S.taiwan_no_data : this.S[st];
      row(null, label, "cr-swatch-" + st).dataset.status = st;
    }
    if (this.cfg.group && this.cfg.group.partial && this.cfg.group.partial.length) row(null, this.S.partial, "cr-swatch-partial");
    if (this.cfg.group) row(null, this.S.outside, "cr-swatch-outside");
    if (this.uncertain && this.uncertain.length) {
      const li = row(null, this.S.map_uncertain + fill(this.S.map_uncertain_count,
        { count: this.uncertain.length, n: this.payload.n }), "cr-swatch-uncertain");
      li.dataset.count = this.uncertain.length;
      li.classList.add("cr-legend-wrap");
    }
    row(null, this.S.scs_hint, "cr-swatch-line");
    box.append(list);
  }

  renderTable() {
    const table = this.root.querySelector("table.cr-table");
    if (!table) return;
    const members = this.cfg.group ? new Set(this.cfg.group.members) : null;
    const tbody = table.tBodies[0];
    const rows = [];
    const iv = this.payload.intervals;
    this.intervalHead(table, iv);
    this.payload.codes.forEach((code, i) => {
      if (members && !members.has(code)) return;
      const tr = document.createElement("tr");
      tr.dataset.code = code;
      const rank = String(this.payload.ranks[i]);
      tr.append(el("td", "", iv && iv.tied[i] ? fill(this.S.map_rank_cell_tied, { rank }) : rank));
      const name = el("td");
      name.append(this.nameNode(code));
      tr.append(name, el("td", "cr-num", pyFixed(this.payload.values[i], 1)));
      if (iv) tr.append(el("td", "cr-iv-cell", iv.p05[i] + "–" + iv.p95[i]));
      for (const col of this.extraColumns) tr.append(el("td", "", col.cell(code)));
      rows.push(tr);
    });
    tbody.replaceChildren(...rows);
  }

  nameNode(code) {
    const span = document.createDocumentFragment();
    const p = this.unitProps(code);
    if (this.lang === "en" && p && p.e) {
      span.append(document.createTextNode(p.e + " "));
      const zh = el("span", "cr-zh-name", this.name(code));
      zh.lang = "zh-CN";
      span.append(zh);
    } else {
      span.append(document.createTextNode(this.name(code)));
    }
    return span;
  }

  finding() {
    const p = this.payload;
    if (!p.codes.length) return "";
    let top = 0, bottom = 0, sum = 0;
    p.values.forEach((v, i) => { sum += v; if (v > p.values[top]) top = i; if (v < p.values[bottom]) bottom = i; });
    let text = fill(this.S.finding, {
      indicator: this.indicatorLabel(), top: this.name(p.codes[top]), top_value: pyFixed(p.values[top], 1),
      bottom: this.name(p.codes[bottom]), bottom_value: pyFixed(p.values[bottom], 1), n: p.codes.length,
      mean: pyFixed(sum / p.codes.length, 1),
    });
    const groups = new Map();
    p.codes.forEach((c, i) => {
      const r = this.cfg.regions[c.slice(0, 2)];
      if (!r) return;
      const g = groups.get(r) || [0, 0];
      g[0] += p.values[i]; g[1] += 1;
      groups.set(r, g);
    });
    if (groups.size) {
      const parts = [...groups].map(([r, [s, n]]) => [r, s / n]).sort((a, b) => b[1] - a[1])
        .map(([r, m]) => this.S["region." + r] + " " + pyFixed(m, 1)).join(this.lang === "en" ? ", " : "，");
      text += " " + fill(this.S.regional_finding, { parts });
    }
    return text;
  }

  renderText() {
    const label = this.indicatorLabel();
    this.root.querySelectorAll(".cr-ind").forEach((n) => { n.textContent = label; });
    const cap = this.root.querySelector("table.cr-table caption");
    if (cap) cap.textContent = label + (this.cfg.dataset.synthetic ? " (" + this.S.synthetic + ")" : "");
    this.canvas.setAttribute("aria-label", this.finding());
    this.printLinks();
  }

  // the print map (PNG/PDF, geo.static_map) of what is shown: indicator, classes and, once the
  // reader has moved the map, the current view (bbox=west,south,east,north)
  printLinks() {
    const q = new URLSearchParams({ indicator: this.state.indicator, classification: this.state.classification,
      k: this.state.k, lang: this.lang });
    if (this.userMove && this.map) q.set("bbox", this.map.getBounds().toBBoxString().split(",").map((v) => Number(v).toFixed(2)).join(","));
    const u = this.cfg.urls;
    document.querySelectorAll(".cr-print-png").forEach((a) => { if (u.png) a.href = u.png + "?" + q; });
    document.querySelectorAll(".cr-print-pdf").forEach((a) => { if (u.pdf) a.href = u.pdf + "?" + q; });
  }

  tooltip(code) {
    const box = el("div", "cr-tip-body");
    box.append(el("strong", "", this.displayName(code)));
    const prov = this.provinces[code.slice(0, 2)];
    if (prov && code.slice(2) !== "0000") box.append(el("div", "cr-tip-prov", prov));
    const st = this.status(code);
    if (st === "scored") {
      const d = this.byCode.get(code);
      box.append(el("div", "", this.indicatorLabel() + ": " + pyFixed(d.value, 1)));
      const iv = this.interval(code);
      box.append(el("div", "", this.S.rank + ": " + fill(iv && iv.tied ? this.S.map_rank_tied : this.S.rank_of,
        { rank: d.rank, n: this.payload.n })));
      if (iv) {
        box.append(el("div", "cr-tip-iv", fill(this.S.map_interval, { lo: iv.lo, hi: iv.hi, median: iv.median })));
        if (this.payload.n > iv.top) {
          box.append(el("div", "", fill(this.S.map_p_top, { top: iv.top, p: Math.round(iv.pTop * 100) + "%" })));
        }
      }
      for (const extra of this.extraTooltip) { const line = extra(code); if (line) box.append(el("div", "", line)); }
    } else {
      box.append(el("div", "cr-tip-status", st === "taiwan" ? this.S.taiwan_no_data : this.S[st]));
    }
    return box;
  }

  // --- rank intervals (issue 9): the total's 90% intervals from the values payload --------
  interval(code) {
    const iv = this.payload.intervals;
    const d = this.byCode.get(code);
    if (!iv || !d) return null;
    const i = d.i;
    return { lo: iv.p05[i], hi: iv.p95[i], median: iv.median[i], tied: Boolean(iv.tied[i]), pTop: iv.p_top[i], top: iv.top };
  }

  // A city's class is not settled when the cities ranked at the two ends of its 90% interval
  // are in different classes (classes follow the value, the value follows the rank).
  uncertainCodes() {
    const iv = this.payload.intervals;
    if (!iv || !this.classes) return [];
    const yb = this.classes.yb, n = yb.length;
    const at = (r) => yb[Math.min(Math.max(r, 1), n) - 1];
    return this.payload.codes.filter((c, i) => at(iv.p05[i]) !== at(iv.p95[i]));
  }

  // the interval view: a hatch over the class colour of every city whose class is not settled
  drawUncertain() {
    if (this.uncertainLayer) { this.uncertainLayer.remove(); this.uncertainLayer = null; }
    this.uncertain = this.state.intervals ? this.uncertainCodes() : [];
    const box = document.getElementById("f-intervals");
    if (box && this.cfg.mode === "viewer") {
      box.disabled = !this.payload.intervals;
      box.closest(".cr-iv-toggle").title = this.payload.intervals ? "" : this.S.map_toggle_total;
    }
    if (!this.uncertain.length) return;
    const svg = this.map.getPanes().overlayPane.querySelector("svg");
    if (svg && !svg.querySelector("#cr-hatch-uncertain")) {
      const p = document.createElementNS(SVG_NS, "pattern");
      p.setAttribute("id", "cr-hatch-uncertain");
      p.setAttribute("patternUnits", "userSpaceOnUse");
      p.setAttribute("width", "6"); p.setAttribute("height", "6");
      p.setAttribute("patternTransform", "rotate(45)");
      for (const [x, cls] of [[0, "cr-uncertain-dark"], [1.6, "cr-uncertain-light"]]) {
        const ln = document.createElementNS(SVG_NS, "line");
        ln.setAttribute("x1", String(x)); ln.setAttribute("y1", "0"); ln.setAttribute("x2", String(x)); ln.setAttribute("y2", "6");
        ln.setAttribute("class", cls);
        p.append(ln);
      }
      (svg.querySelector("defs") || svg.insertBefore(document.createElementNS(SVG_NS, "defs"), svg.firstChild)).append(p);
    }
    const set = new Set(this.uncertain);
    this.uncertainLayer = window.L.geoJSON({ type: "FeatureCollection", features: this.units.filter((u) => set.has(u.id)) }, {
      interactive: false, style: { className: "cr-uncertain-hatch", fillColor: "url(#cr-hatch-uncertain)", fillOpacity: 1, weight: 0 },
    }).addTo(this.map);
  }

  // the data table's interval column: its header follows the values shown
  intervalHead(table, iv) {
    const head = table.tHead && table.tHead.rows[0];
    if (!head) return;
    let th = head.querySelector("th.cr-iv-col");
    if (iv && !th) {
      th = el("th", "cr-iv-col", this.S.map_col_interval);
      th.scope = "col";
      head.cells[Math.min(2, head.cells.length - 1)].after(th);
    } else if (!iv && th) {
      th.remove();
    }
  }

  open(code) {
    const url = this.cfg.urls.city;
    if (!url || this.status(code) !== "scored") return;
    const href = url.replace("__CODE__", encodeURIComponent(code));
    if (this.cfg.mode === "embed") window.open(href, "_blank", "noopener");
    else window.location.assign(href);
  }

  // --- keyboard: the map is one Tab stop; arrows move between cities --------------------
  bindKeys() {
    this.centres = new Map();
    for (const [code, layer] of this.layers) this.centres.set(code, layer.getBounds().getCenter());
    const order = () => this.payload.codes.filter((c) => this.layers.has(c));
    this.canvas.addEventListener("focus", () => { if (!this.focused) this.focus(order()[0], false); });
    this.canvas.addEventListener("blur", () => { if (this.focused) this.layers.get(this.focused).closeTooltip(); });
    this.canvas.addEventListener("keydown", (e) => {
      if (e.target !== this.canvas) return;
      const dirs = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
      if (dirs[e.key]) { e.preventDefault(); this.step(...dirs[e.key]); } else if (e.key === "Enter") {
        if (this.focused) { e.preventDefault(); this.open(this.focused); }
      } else if (e.key === "+" || e.key === "=") { e.preventDefault(); this.userMove = true; this.map.zoomIn(); } else if (e.key === "-") {
        e.preventDefault(); this.userMove = true; this.map.zoomOut();
      } else if (e.key === "Home") { e.preventDefault(); this.focus(order()[0]); } else if (e.key === "Escape") {
        if (this.focused) this.layers.get(this.focused).closeTooltip();
      }
    });
  }

  step(dx, dy) {
    if (!this.focused) { this.focus(this.payload.codes[0]); return; }
    const here = this.centres.get(this.focused);
    let best = null;
    for (const [code, c] of this.centres) {
      if (code === this.focused) continue;
      const x = (c.lng - here.lng) * Math.cos((here.lat * Math.PI) / 180), y = c.lat - here.lat;
      const along = x * dx + y * dy;
      if (along <= 0) continue;
      const across = Math.abs(x * dy - y * dx);
      const score = along + 2.5 * across;
      if (!best || score < best.score) best = { code, score };
    }
    if (best) this.focus(best.code);
  }

  focus(code, announce = true) {
    if (!code || !this.layers.has(code)) return;
    if (this.focused) {
      const old = this.layers.get(this.focused);
      old.closeTooltip();
      const p = old.getElement && old.getElement();
      if (p) p.classList.remove("cr-focus");
    }
    this.focused = code;
    const layer = this.layers.get(code);
    const path = layer.getElement && layer.getElement();
    if (path) { path.classList.add("cr-focus"); layer.bringToFront(); }
    const centre = this.centres ? this.centres.get(code) : layer.getBounds().getCenter();
    if (!this.map.getBounds().contains(centre)) this.map.panTo(centre, { animate: false });
    layer.openTooltip(centre);
    if (announce && this.live) this.live.textContent = this.tooltip(code).textContent;
  }

  // --- controls (viewer), search, permalinks ---------------------------------------------
  bindControls() {
    const byId = (id) => document.getElementById(id);
    const ind = byId("f-indicator"), cls = byId("f-class"), k = byId("f-k");
    if (this.cfg.mode === "viewer" && ind && cls && k) {
      document.querySelectorAll(".cr-apply").forEach((b) => { b.hidden = true; });
      const syncPublished = () => {
        const meta = this.cfg.indicators.find((i) => i.id === ind.value);
        const opt = cls.querySelector('option[value="published"]');
        if (opt) opt.disabled = !(meta && meta.published);
        if (opt && opt.disabled && cls.value === "published") cls.value = "quantiles";
      };
      const onChange = async () => {
        syncPublished();
        await this.update({ indicator: ind.value, classification: cls.value, k: Number(k.value) });
      };
      ind.addEventListener("change", onChange);
      cls.addEventListener("change", onChange);
      k.addEventListener("change", onChange);
      const ds = byId("f-dataset");
      if (ds) ds.addEventListener("change", () => ds.form.submit());
    }
    const ivBox = byId("f-intervals");
    if (this.cfg.mode === "viewer" && ivBox) ivBox.addEventListener("change", () => this.update({ intervals: ivBox.checked }));
    this.bindSearch(byId("cr-search"), byId("cr-cities"));
  }

  async update(next) {
    const changedIndicator = next.indicator && next.indicator !== this.state.indicator;
    Object.assign(this.state, next);
    if (changedIndicator) {
      const loading = this.root.querySelector(".cr-loading");
      const timer = setTimeout(() => { if (loading) loading.hidden = false; }, 300);
      try {
        const url = this.cfg.urls.values.includes("{indicator}")
          ? this.cfg.urls.values.replace("{indicator}", encodeURIComponent(this.state.indicator))
          : this.cfg.urls.values + "?indicator=" + encodeURIComponent(this.state.indicator);
        this.setValues(await this.fetchJSON(url), { silent: true });
      } finally {
        clearTimeout(timer);
        if (loading) loading.hidden = true;
      }
    }
    this.recolour();
  }

  bindSearch(input, list) {
    if (!input) return;
    const norm = (x) => String(x).toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/\s+/g, "");
    const entries = this.units.map((u) => {
      const p = u.properties || {};
      const fields = [this.name(u.id), p.n, p.e, u.id].filter(Boolean);
      return { code: u.id, text: [this.name(u.id), p.e, u.id].filter(Boolean).join(" · "), keys: fields.map(norm) };
    });
    if (list) {
      list.replaceChildren(...entries.map((e) => { const o = document.createElement("option"); o.value = e.text; return o; }));
    }
    // exact name, pinyin or code first, then a field that starts with the query, then one that
    // contains it ("hangzhou" is Hangzhou, not Changzhou); scored cities before the others
    const find = (q) => {
      const text = q.trim();
      if (!text) return null;
      const exact = entries.find((e) => e.text === text);
      if (exact) return exact;
      const nq = norm(text);
      let best = null;
      for (const e of entries) {
        let score = Infinity;
        for (const k of e.keys) {
          const s = k === nq ? 0 : k.startsWith(nq) ? 1 : k.includes(nq) ? 2 : Infinity;
          score = Math.min(score, s);
        }
        if (score === Infinity) continue;
        score = score * 2 + (this.byCode.has(e.code) ? 0 : 1);
        if (!best || score < best.score) best = { ...e, score };
      }
      return best;
    };
    const go = () => {
      const hit = find(input.value);
      if (!hit) { if (this.live) this.live.textContent = fill(this.S.search_none, { query: input.value }); return; }
      const layer = this.layers.get(hit.code);
      this.map.fitBounds(layer.getBounds(), { maxZoom: 6, animate: false, padding: [20, 20] });
      this.canvas.focus({ preventScroll: true });
      this.focus(hit.code);
    };
    input.addEventListener("change", go);
    input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); go(); } });
  }

  emitState() {
    const detail = { ...this.state, dataset: this.cfg.dataset.id };
    if (this.cfg.mode === "viewer" && window.history && window.history.replaceState) {
      const url = new URL(window.location.href);
      for (const [key, v] of Object.entries(this.state)) {
        if (v === false) url.searchParams.delete(key); else url.searchParams.set(key, String(v));
      }
      window.history.replaceState(null, "", url);
    }
    this.root.dispatchEvent(new CustomEvent("cityrank:state", { bubbles: true, detail }));
  }

  // the view (zoom/centre) lives in the URL's fragment: #zoom/lat/lon
  saveView() {
    if (this.cfg.mode !== "viewer" || !this.userMove) return;
    const c = this.map.getCenter();
    const hash = "#" + this.map.getZoom().toFixed(2) + "/" + c.lat.toFixed(3) + "/" + c.lng.toFixed(3);
    window.history.replaceState(null, "", window.location.pathname + window.location.search + hash);
  }

  restoreView() {
    const m = /^#(\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(window.location.hash);
    if (!m) return;
    this.map.setView([Number(m[2]), Number(m[3])], Number(m[1]), { animate: false });
    this.userMove = true;
    this.moved = true;
  }
}

// --- the host page's height (embeds): the real height, whatever it is -----------------------
function postHeight() {
  if (window.parent === window) return;
  const h = Math.ceil(document.documentElement.getBoundingClientRect().height);
  window.parent.postMessage({ type: "cityrank:height", height: h, href: location.href }, "*");
}

export function mountAll(doc = document) {
  const maps = [];
  for (const root of doc.querySelectorAll("[data-cr-map]")) {
    const cfg = JSON.parse(root.querySelector("script.cr-config").textContent);
    const m = new CityMap(root, cfg);
    root.cityMap = m;
    maps.push(m);
    m.start().catch((err) => console.error("cityrank map:", err));
  }
  if (window.ResizeObserver) new ResizeObserver(postHeight).observe(document.documentElement);
  window.addEventListener("load", postHeight);
  doc.querySelectorAll("details").forEach((d) => d.addEventListener("toggle", postHeight));
  return maps;
}

mountAll();
