"""The SITREP's pictures, drawn with matplotlib's Agg canvas (no display, no network) and
embedded as PNG data URIs: counts against the previous period, and a map of the period —
zone outlines, report points and violations — from the store alone, with no tiles."""

from __future__ import annotations

import base64
import io
import math
from typing import Any

import shapely
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

_ZONE_COLOURS = {
    "sector": "#1f4e79",
    "safety_zone": "#b8860b",
    "buffer": "#b8860b",
    "cantonment_site": "#2e7d32",
    "border_crossing": "#6a1b9a",
    "restricted_area": "#c62828",
}
_DPI = 100
# Outlines are drawn at a few hundred pixels: detail finer than ~300 m is not seen, and the
# scenario's borders carry tens of thousands of vertices.
_SIMPLIFY_DEG = 0.003


def _png(fig: Figure) -> str:
    # A bare Figure renders with Agg and keeps no global state (pyplot's is not thread-safe,
    # and the API draws in a thread pool).
    out = io.BytesIO()
    # Fixed margins, not bbox_inches="tight": that draws the figure twice.
    fig.savefig(out, format="png", dpi=_DPI)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def change_chart(rows: list[dict[str, Any]], title: str, limit: int = 12) -> str | None:
    """Horizontal bars of this period against the previous one, for the ``limit`` largest
    keys; None when there is nothing to draw."""
    rows = [r for r in rows if r["current"] or r["previous"]][:limit]
    if not rows:
        return None
    names = [str(r.get("name") or r["key"]).replace("_", " ") for r in rows][::-1]
    now = [r["current"] for r in rows][::-1]
    before = [r["previous"] for r in rows][::-1]
    height = 0.3 * len(rows) + 0.9
    fig = Figure(figsize=(6.4, height))
    fig.subplots_adjust(left=0.36, right=0.97, top=1 - 0.35 / height, bottom=0.4 / height)
    ax = fig.subplots()
    y = range(len(rows))
    ax.barh([i + 0.2 for i in y], now, height=0.4, color="#1f4e79", label="this period")
    ax.barh([i - 0.2 for i in y], before, height=0.4, color="#9db4cc", label="previous period")
    ax.set_yticks(list(y), names, fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    kind = geometry["type"]
    coords = geometry["coordinates"]
    if kind == "Polygon":
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for polygon in coords for ring in polygon]
    if kind == "LineString":
        return [coords]
    if kind == "MultiLineString":
        return list(coords)
    return []


def period_map(
    zones: list[dict[str, Any]],
    points: list[list[Any]],
    violations: list[dict[str, Any]],
    events: list[dict[str, Any]],
) -> str | None:
    """Zone outlines, the period's reports (grey), violations (red) and the significant events
    (numbered) on a plain lon/lat plot scaled for the latitude; None when there is nothing."""
    if not zones and not points and not violations:
        return None
    fig = Figure(figsize=(6.4, 5.6))
    fig.subplots_adjust(left=0.12, right=0.98, top=0.98, bottom=0.09)
    ax = fig.subplots()
    segments: list[Any] = []
    colours: list[str] = []
    widths: list[float] = []
    for zone in zones:
        kind = zone["properties"]["kind"]
        shape = shapely.simplify(shapely.geometry.shape(zone["geometry"]), _SIMPLIFY_DEG)
        rings = _rings(shapely.geometry.mapping(shape))
        segments += rings
        colours += [_ZONE_COLOURS.get(kind, "#555555")] * len(rings)
        widths += [1.4 if kind == "sector" else 0.8] * len(rings)
        if kind == "sector" and rings:
            centre = shape.representative_point()
            ax.annotate(
                zone["properties"]["name"], (centre.x, centre.y), fontsize=7,
                color=_ZONE_COLOURS["sector"], ha="center",
            )  # fmt: skip
    if segments:
        ax.add_collection(LineCollection(segments, colors=colours, linewidths=widths))
        ax.autoscale_view()
    if points:
        ax.scatter(
            [p[0] for p in points], [p[1] for p in points], s=4, color="#777777", label="reports"
        )
    if violations:
        ax.scatter(
            [v["lon"] for v in violations],
            [v["lat"] for v in violations],
            s=22,
            marker="x",
            color="#c62828",
            label="violations",
        )
    for n, event in enumerate(events, start=1):
        ax.annotate(
            str(n),
            (event["lon"], event["lat"]),
            fontsize=7,
            color="white",
            ha="center",
            va="center",
            bbox={"boxstyle": "circle,pad=0.2", "fc": "#e65100", "ec": "none"},
        )
    lats = [p[1] for p in points] + [v["lat"] for v in violations]
    mid = sum(lats) / len(lats) if lats else 42.5
    ax.set_aspect(1 / math.cos(math.radians(mid)))
    ax.tick_params(labelsize=7)
    ax.set_xlabel("longitude (WGS 84)", fontsize=8)
    ax.set_ylabel("latitude (WGS 84)", fontsize=8)
    if points or violations:
        ax.legend(fontsize=7, loc="upper right")
    ax.grid(alpha=0.2)
    return _png(fig)
