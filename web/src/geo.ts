// Coordinates for people: lon/lat in degrees, MGRS grids (npm `mgrs`, computed here, no
// network) and great-circle distances (haversine on the mean Earth radius).
import { forward, toPoint } from "mgrs";

/** IUGG mean Earth radius, km: haversine distances are within 0.5 % of the ellipsoid. */
export const EARTH_RADIUS_KM = 6371.0088;

export type LonLat = [number, number];

const rad = (deg: number): number => (deg * Math.PI) / 180;

/** Great-circle distance between two points, km (haversine). */
export function haversineKm([lon1, lat1]: LonLat, [lon2, lat2]: LonLat): number {
  const dLat = rad(lat2 - lat1);
  const dLon = rad(lon2 - lon1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Length of a path through the points, km. */
export function pathKm(points: readonly LonLat[]): number {
  let total = 0;
  for (let i = 1; i < points.length; i++) total += haversineKm(points[i - 1], points[i]);
  return total;
}

/** "42.66000° N 21.16000° E". */
export function lonLatText([lon, lat]: LonLat): string {
  const ns = lat >= 0 ? "N" : "S";
  const ew = lon >= 0 ? "E" : "W";
  return `${Math.abs(lat).toFixed(5)}° ${ns} ${Math.abs(lon).toFixed(5)}° ${ew}`;
}

/** A point's MGRS grid to the metre, spaced as read aloud: "34T EN 12345 67890"; null outside
 * MGRS (the polar regions use UPS). */
export function toMgrs([lon, lat]: LonLat, digits = 5): string | null {
  if (lat < -80 || lat > 84) return null;
  let grid: string;
  try {
    grid = forward([lon, lat], digits);
  } catch {
    return null;
  }
  const m = /^(\d{1,2}[A-Z])([A-Z]{2})(\d*)$/.exec(grid);
  if (!m) return grid;
  const half = m[3].length / 2;
  return [m[1], m[2], m[3].slice(0, half), m[3].slice(half)].filter(Boolean).join(" ");
}

const MGRS_RE = /^(\d{1,2})([C-HJ-NP-X])([A-HJ-NP-Z][A-HJ-NP-V])(\d{2}|\d{4}|\d{6}|\d{8}|\d{10})?$/;

/** The centre of an MGRS grid square ("34TEN1234567890", spaces allowed), or an Error saying why
 * it is not one. */
export function fromMgrs(text: string): LonLat | Error {
  const grid = text.replace(/\s+/g, "").toUpperCase();
  if (!grid) return new Error("enter a grid, e.g. 34T EN 12345 67890, or click the map");
  const m = MGRS_RE.exec(grid);
  if (!m) return new Error(`"${text.trim()}" is not an MGRS grid (zone, band, square, then an even number of digits)`);
  const zone = Number(m[1]);
  if (zone < 1 || zone > 60) return new Error(`UTM zone ${zone} is outside 1–60`);
  try {
    const [lon, lat] = toPoint(grid);
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) throw new Error("no such place");
    return [lon, lat];
  } catch (err) {
    return new Error(`"${text.trim()}" is not a valid MGRS grid: ${err instanceof Error ? err.message : String(err)}`);
  }
}
