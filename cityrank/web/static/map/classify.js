// Class breaks exactly as cityrank.geo.classify computes them in Python: quantiles, equal
// interval and natural breaks (Fisher-Jenks, float32 like mapclassify's) right-closed, the
// published bands left-closed. tests/web/test_map_client_browser.py checks equality with
// the Python classes on real and random data.

// numpy.arange(start, stop, step) for floats: length ceil((stop - start) / step), values
// start + i * ((start + step) - start), as numpy fills them.
function arange(start, stop, step) {
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const delta = (start + step) - start;
  const out = [];
  for (let i = 0; i < n; i++) out.push(i === 0 ? start : i === 1 ? start + step : start + i * delta);
  return out;
}

function uniqueSorted(a) {
  const s = Float64Array.from(a).sort();
  const out = [];
  for (const v of s) if (!out.length || out[out.length - 1] !== v) out.push(v);
  return out;
}

// scipy.stats.scoreatpercentile(sorted, per), interpolation "fraction"
function scoreAt(sorted, per) {
  const idx = per / 100 * (sorted.length - 1);
  const i = Math.trunc(idx);
  if (i === idx) return sorted[i];
  const w0 = (i + 1) - idx, w1 = idx - i;
  return (sorted[i] * w0 + sorted[i + 1] * w1) / (w0 + w1);
}

function quantileBins(y, k) {
  const w = 100 / k;
  const p = arange(w, 100 + w, w);
  if (p[p.length - 1] > 100) p[p.length - 1] = 100;
  const sorted = Float64Array.from(y).sort();
  return uniqueSorted(p.map((pct) => scoreAt(sorted, pct)));
}

function equalIntervalBins(y, k) {
  let lo = Infinity, hi = -Infinity;
  for (const v of y) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (lo === hi) throw new Error("all values are equal: no equal intervals");
  const width = (hi - lo) * 1.0 / k;
  let cuts = arange(lo + width, hi + width, width);
  if (cuts.length > k) cuts = cuts.slice(0, k);
  cuts[cuts.length - 1] = hi;
  return cuts;
}

// mapclassify._fisher_jenks_means: every operation in float32 (Math.fround), as numpy does.
function fisherJenksBins(y, k) {
  const f = Math.fround;
  const values = Float64Array.from(y).sort();
  const n = values.length, K = k + 1;
  const mat1 = new Int32Array((n + 1) * K);
  const mat2 = new Float32Array((n + 1) * K);
  for (let j = 1; j <= k; j++) mat1[K + j] = 1;
  for (let l = 2; l <= n; l++) for (let j = 1; j <= k; j++) mat2[l * K + j] = Infinity;
  let v = 0;
  for (let l = 2; l <= n; l++) {
    let s1 = 0, s2 = 0, w = 0;
    for (let m = 1; m <= l; m++) {
      const i3 = l - m + 1;
      const val = f(values[i3 - 1]);
      s2 = f(s2 + f(val * val));
      s1 = f(s1 + val);
      w = f(w + 1);
      v = f(s2 - f(f(s1 * s1) / w));
      const i4 = i3 - 1;
      if (i4 !== 0) {
        for (let j = 2; j <= k; j++) {
          const cand = f(v + mat2[i4 * K + j - 1]);
          if (mat2[l * K + j] >= cand) { mat1[l * K + j] = i3; mat2[l * K + j] = cand; }
        }
      }
    }
    mat1[l * K + 1] = 1;
    mat2[l * K + 1] = v;
  }
  const kclass = new Array(K).fill(0);
  kclass[k] = values[n - 1];
  kclass[0] = values[0];
  let at = n;
  for (let c = k; c > 1; c--) {
    const pivot = mat1[at * K + c];
    kclass[c - 1] = values[pivot - 2];
    at = pivot - 1;
  }
  return kclass.slice(1);
}

// mapclassify.bin1d: class i when bins[i-1] < x <= bins[i]
function rightClosed(y, bins) {
  return y.map((x) => {
    for (let i = 0; i < bins.length; i++) if (x > (i ? bins[i - 1] : -Infinity) && x <= bins[i]) return i;
    return 0;
  });
}

function effectiveK(y, k) {
  return Math.max(1, Math.min(k, uniqueSorted(y).length));
}

// Python's f"{x:.{d}f}": correct rounding of the binary value, ties to even (JS toFixed
// rounds ties away from zero). A tie at d decimals is exactly x = odd / 2^(d+1).
export function pyFixed(x, d) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  const m = a * 2 ** (d + 1);
  let s;
  if (Number.isInteger(m) && m % 2 === 1) {
    let n = (m * 5 ** d - 1) / 2;
    if (n % 2 === 1) n += 1;
    s = String(n).padStart(d + 1, "0");
    s = d ? s.slice(0, s.length - d) + "." + s.slice(s.length - d) : s;
  } else {
    s = a.toFixed(d);
  }
  return (neg ? "-" : "") + s;
}

export const METHODS = ["quantiles", "natural_breaks", "equal_interval", "published"];

// values: numbers or null/NaN (missing: class -1). opts.bins: the published inner edges,
// opts.bandLabels: their labels in the page language (from the server's catalogue).
export function classify(values, method, k, opts = {}) {
  const decimals = opts.decimals ?? 1;
  const ok = values.map((v) => v !== null && v !== undefined && !Number.isNaN(v));
  const y = values.filter((_, i) => ok[i]);
  if (!y.length) throw new Error("no values to classify (all missing)");
  let edges, yb, labels, closed;
  if (method === "published") {
    const bins = opts.bins;
    yb = y.map((x) => bins.filter((e) => e <= x).length);
    edges = [-Infinity, ...bins, Infinity];
    labels = opts.bandLabels;
    closed = "left";
  } else {
    let bins;
    if (method === "quantiles") bins = quantileBins(y, effectiveK(y, k));
    else if (method === "natural_breaks") bins = fisherJenksBins(y, effectiveK(y, k));
    else if (method === "equal_interval") bins = equalIntervalBins(y, k);
    else throw new Error("unknown classification " + method);
    yb = rightClosed(y, bins);
    edges = [Math.min(...y), ...bins];
    labels = edges.slice(1).map((hi, i) => pyFixed(edges[i], decimals) + " – " + pyFixed(hi, decimals));
    closed = "right";
  }
  const counts = labels.map((_, c) => yb.filter((b) => b === c).length);
  const full = [];
  let j = 0;
  for (let i = 0; i < values.length; i++) full.push(ok[i] ? yb[j++] : -1);
  return { method, edges, yb: full, labels, counts, closed };
}
