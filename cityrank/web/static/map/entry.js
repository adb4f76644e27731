// The bundle's entry (scripts/build_assets.py runs esbuild on it): Leaflet and topojson-client
// from npm as the globals the client reads, then the client and every module it imports
// (classify.js, …), evaluated in this order.
import "./globals.js";
import "./cityrank-map.js";

// the classes, for tests and pages that compute their own (the same module instance)
export { classify } from "./classify.js";
