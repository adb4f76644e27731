// window.L and window.topojson for the client (and any module it imports), from the npm
// packages bundled with it: no separate script, no CDN. Only the parts of Leaflet named here
// are bundled (esbuild drops the rest): add a name when a module needs it.
import {
  control, divIcon, DomEvent, DomUtil, geoJSON, latLng, latLngBounds, map, marker, point, svg, Util,
} from "leaflet/dist/leaflet-src.esm.js";
import { feature, mesh } from "topojson-client";

window.L = { control, divIcon, DomEvent, DomUtil, geoJSON, latLng, latLngBounds, map, marker, point, svg, Util };
window.topojson = { feature, mesh };
