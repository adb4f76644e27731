// The 南海诸岛 inset drawn from the map's own TopoJSON (no bytes besides it): the land of the
// units inside the box, their small parts as island dots, and the dashed line, projected like
// cityrank.geo.inset (plate carrée, longitudes shrunk by cos(mid-latitude), 200 units wide).
const SVG_NS = "http://www.w3.org/2000/svg";
const WIDTH = 200;
const ISLAND_AREA = 0.02; // deg²: smaller parts are island dots (geo.inset.ISLAND_AREA)
const ISLAND_GRID = 0.6; // degrees: dots closer than this are one (geo.inset.ISLAND_GRID)
const RADIUS = 1.3;
const DASHED = "south_china_sea_dashed_line";

function area(ring) {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  return Math.abs(a / 2);
}

function node(tag, attrs) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

// units, lines: GeoJSON features (topojson.feature of the units and of the lines);
// box: [lon0, lat0, lon1, lat1] (geo.extent.SOUTH_CHINA_SEA); outlines: MultiLineString
// geometries drawn over the land (topojson.mesh: the coast and the provinces' borders)
export function insetSvg(units, lines, box, outlines = []) {
  const [x0, y0, x1, y1] = box;
  const kx = Math.cos((((y0 + y1) / 2) * Math.PI) / 180);
  const scale = WIDTH / ((x1 - x0) * kx);
  const height = Math.round((y1 - y0) * scale);
  const px = ([x, y]) => [Math.round((x - x0) * kx * scale), Math.round((y1 - y) * scale)];
  const inside = (ring) => ring.some(([x, y]) => x >= x0 && x <= x1 && y >= y0 && y <= y1);
  const d = (ring, closed) => {
    const pts = ring.map(px).filter((p, i, a) => i === 0 || p[0] !== a[i - 1][0] || p[1] !== a[i - 1][1]);
    if (pts.length < (closed ? 3 : 2)) return "";
    return "M" + pts.map((p) => p.join(" ")).join("L") + (closed ? "Z" : "");
  };
  let land = "";
  const dots = new Map();
  for (const f of units) {
    const g = f.geometry;
    const polys = !g ? [] : g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    for (const poly of polys) {
      const ring = poly[0];
      if (!inside(ring)) continue;
      if (area(ring) < ISLAND_AREA) {
        const cx = ring.reduce((s, p) => s + p[0], 0) / ring.length, cy = ring.reduce((s, p) => s + p[1], 0) / ring.length;
        const gx = Math.round(cx / ISLAND_GRID), gy = Math.round(cy / ISLAND_GRID);
        dots.set(gx + "," + gy, [gx * ISLAND_GRID, gy * ISLAND_GRID]);
      } else {
        land += d(ring, true);
      }
    }
  }
  let edges = "";
  for (const g of outlines) for (const p of (g && g.coordinates) || []) if (inside(p)) edges += d(p, false);
  let dash = "";
  for (const f of lines) {
    if (!f.geometry || !f.properties || f.properties.k !== DASHED) continue;
    const parts = f.geometry.type === "LineString" ? [f.geometry.coordinates] : f.geometry.coordinates;
    for (const p of parts) if (inside(p)) dash += d(p, false);
  }
  const svg = node("svg", { viewBox: `0 0 ${WIDTH} ${height}`, class: "cr-inset-svg", "aria-hidden": "true" });
  const gl = node("g", { class: "cr-inset-land", "stroke-width": 0.8, "stroke-linejoin": "round" });
  const fillPath = node("path", { d: land });
  fillPath.style.stroke = "none";
  const edgePath = node("path", { d: edges });
  edgePath.style.fill = "none";
  gl.append(fillPath, edgePath);
  const gi = node("g", { class: "cr-inset-island" });
  for (const [x, y] of dots.values()) {
    const [cx, cy] = px([x, y]);
    gi.append(node("circle", { cx, cy, r: RADIUS }));
  }
  const gd = node("g", { class: "cr-inset-dash", fill: "none", "stroke-width": 1.6, "stroke-linecap": "round", "data-kind": DASHED });
  gd.append(node("path", { d: dash }));
  svg.append(gl, gi, gd);
  return svg;
}
