// Colours and names for report kinds and zone kinds: one table feeds both the
// map style and the legend, so the two cannot drift apart.

export interface KindStyle {
  kind: string;
  label: string;
  color: string;
}

// Violence first (warm), then posture/sightings, then benign activity (cool/green).
export const REPORT_KINDS: readonly KindStyle[] = [
  { kind: "armed_clash", label: "Armed clash", color: "#b2182b" },
  { kind: "shooting", label: "Shooting", color: "#e34a33" },
  { kind: "explosion", label: "Explosion", color: "#7a0177" },
  { kind: "arson", label: "Arson", color: "#f28e2b" },
  { kind: "roadblock", label: "Roadblock", color: "#8c6d31" },
  { kind: "demonstration", label: "Demonstration", color: "#e7b800" },
  { kind: "armed_personnel_sighting", label: "Armed personnel sighting", color: "#d6604d" },
  { kind: "heavy_weapons_sighting", label: "Heavy weapons sighting", color: "#67001f" },
  { kind: "seizure", label: "Seizure", color: "#2166ac" },
  { kind: "aid_delivery", label: "Aid delivery", color: "#1a9850" },
  { kind: "weapons_handed_in", label: "Weapons handed in", color: "#35978f" },
];

export const OTHER_REPORT_COLOR = "#6b6b6b";

export const ZONE_KINDS: readonly KindStyle[] = [
  { kind: "boundary", label: "Boundary", color: "#1f2328" },
  { kind: "sector", label: "Sector", color: "#4d5b68" },
  { kind: "air_safety_zone", label: "Air safety zone (ASZ)", color: "#3a64b0" },
  { kind: "ground_safety_zone", label: "Ground safety zone (GSZ)", color: "#c2521f" },
  { kind: "withdrawal_zone", label: "MTA withdrawal zone (approximate)", color: "#8c6bb1" },
];

export const OTHER_ZONE_COLOR = "#7a7a7a";

export function reportKindLabel(kind: string): string {
  return REPORT_KINDS.find((k) => k.kind === kind)?.label ?? kind.replaceAll("_", " ");
}

export function zoneKindLabel(kind: string): string {
  return ZONE_KINDS.find((k) => k.kind === kind)?.label ?? kind.replaceAll("_", " ");
}

/** A MapLibre `match` expression colouring features by their `kind` property. */
export function kindColorExpression(
  kinds: readonly KindStyle[],
  fallback: string,
): unknown[] {
  const expr: unknown[] = ["match", ["get", "kind"]];
  for (const k of kinds) expr.push(k.kind, k.color);
  expr.push(fallback);
  return expr;
}

/** Every kind the server takes (ingest/kinds.py), for the reporting form, in its order. */
export const FILEABLE_KINDS: readonly { kind: string; label: string }[] = [
  { kind: "armed_clash", label: "Armed clash" },
  { kind: "shooting", label: "Shooting" },
  { kind: "small_arms_fire", label: "Small-arms fire" },
  { kind: "heavy_weapons_fire", label: "Heavy-weapons fire" },
  { kind: "explosion", label: "Explosion" },
  { kind: "mine_ied", label: "Mine / IED" },
  { kind: "arson", label: "Arson" },
  { kind: "roadblock", label: "Roadblock" },
  { kind: "demonstration", label: "Demonstration" },
  { kind: "intimidation", label: "Intimidation" },
  { kind: "movement_of_forces", label: "Movement of forces" },
  { kind: "armed_personnel_sighting", label: "Armed personnel sighting" },
  { kind: "heavy_weapons_sighting", label: "Heavy weapons sighting" },
  { kind: "seizure", label: "Seizure" },
  { kind: "aid_delivery", label: "Aid delivery" },
  { kind: "weapons_handed_in", label: "Weapons handed in" },
  { kind: "patrol_report", label: "Patrol report" },
  { kind: "spot", label: "SPOT report" },
];
