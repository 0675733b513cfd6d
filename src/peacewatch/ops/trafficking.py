"""Counter-trafficking: seizures with their route (origin, crossing point, destination), the
route network they make (networkx), hotspot crossings and routes over time, and which routes
grew in the last 30 days against the 30 before.

The network is built only from the seizures a viewer may see (``store/seizures.py`` reads
through the label filter); every node, edge and route carries ``derived_label``, the most
restrictive label of the seizures it was built from, and ``items`` split the seizures counted
by label, so the response takes the most restrictive label of its inputs.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from peacewatch.domain.dtg import parse_time
from peacewatch.domain.errors import DomainError
from peacewatch.domain.labels import Label, Viewer, most_restrictive
from peacewatch.errors import Conflict, FieldProblem, ValidationFailed
from peacewatch.ops.report_citations import check_citations, link
from peacewatch.ops.weapons_writes import label_id_for, mission_of
from peacewatch.store import Store, audit
from peacewatch.store import seizures as seizure_store
from peacewatch.store.tables import seizures as seizures_table

GOODS = ("arms", "ammunition", "drugs", "people", "fuel", "cigarettes", "alcohol", "vehicles",
         "other")  # fmt: skip
UNITS = ("items", "rounds", "kg", "g", "persons", "litres", "cartons", "vehicles")
ROUTE_PARTS = ("origin", "crossing", "destination")
WINDOW = timedelta(days=30)


# --- the route network --------------------------------------------------------------------


def route_of(seizure: Mapping[str, Any]) -> tuple[str, ...]:
    """A seizure's route: the named places of origin, crossing point and destination, in
    order (a place named twice in a row counts once)."""
    path: list[str] = []
    for part in ROUTE_PARTS:
        name = seizure.get(part)
        if name and (not path or path[-1] != name):
            path.append(str(name))
    return tuple(path)


def _period(at: datetime, bucket: str) -> str:
    if bucket == "week":
        year, week, _ = at.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{at:%Y-%m}"


if TYPE_CHECKING:
    import networkx as nx


def build_network(seizures: Iterable[Mapping[str, Any]]) -> nx.DiGraph:
    """The route network: a node per named place (origin, crossing, destination or where a
    seizure was made), an edge for each leg of a seizure's route (kind 'route') and for each
    step of a smuggling chain from one seizure's place to the next one's (kind 'chain'). Nodes
    and edges keep the seizures they come from (``seizures``: list of (time, id, label))."""
    import networkx as nx  # here, not at import: 12 MB a web worker needs only when asked

    graph: nx.DiGraph = nx.DiGraph()

    def node(name: str, role: str, at: Any, s: Mapping[str, Any]) -> None:
        if name not in graph:
            graph.add_node(name, roles=set(), coordinates=None, seizures=[])
        data = graph.nodes[name]
        data["roles"].add(role)
        if data["coordinates"] is None and at is not None:
            data["coordinates"] = [float(at[0]), float(at[1])]
        data["seizures"].append((s["seized_at"], s["id"], s["label"]))

    def edge(a: str, b: str, kind: str, s: Mapping[str, Any]) -> None:
        if not graph.has_edge(a, b):
            graph.add_edge(a, b, kinds=set(), seizures=[])
        graph.edges[a, b]["kinds"].add(kind)
        graph.edges[a, b]["seizures"].append((s["seized_at"], s["id"], s["label"]))

    chains: dict[str, list[Mapping[str, Any]]] = {}
    for s in seizures:
        coordinates = s.get("route") or {}
        for part in ROUTE_PARTS:
            if s.get(part):
                here = [s["lon"], s["lat"]] if s[part] == s["place"] else None
                node(str(s[part]), part, coordinates.get(part) or here, s)
        path = route_of(s)
        for a, b in pairwise(path):
            edge(a, b, "route", s)
        if s.get("chain"):
            chains.setdefault(str(s["chain"]), []).append(s)
    for members in chains.values():
        members.sort(key=lambda m: (m["seized_at"], m["id"]))
        for m in members:
            node(str(m["place"]), "seizure", [m["lon"], m["lat"]], m)
        for first, then in pairwise(members):
            if first["place"] != then["place"]:
                edge(str(first["place"]), str(then["place"]), "chain", then)
    return graph


def _counts(found: list[tuple[datetime, str, str]], at: datetime, bucket: str) -> dict[str, Any]:
    """Seizures in the last 30 days before ``at`` and the 30 before, per period, and the
    most restrictive label of all of them."""
    recent = sum(1 for t, _, _ in found if at - WINDOW <= t < at)
    previous = sum(1 for t, _, _ in found if at - 2 * WINDOW <= t < at - WINDOW)
    periods: dict[str, int] = {}
    for t, _, _ in found:
        periods[_period(t, bucket)] = periods.get(_period(t, bucket), 0) + 1
    return {
        "seizures": len(found),
        "recent": recent,
        "previous": previous,
        "change": recent - previous,
        "grew": recent > previous,
        "first": min(t for t, _, _ in found).isoformat() if found else None,
        "last": max(t for t, _, _ in found).isoformat() if found else None,
        "by_period": periods,
        "derived_label": most_restrictive(
            [Label.parse(m) for m in {m for _, _, m in found}]
        ).marking
        if found
        else None,
    }


def analyse(
    seizures: Sequence[Mapping[str, Any]], *, at: datetime, bucket: str = "month"
) -> dict[str, Any]:
    """The network of ``seizures`` with, for every node, edge and route: seizures counted in
    all, in the 30 days before ``at`` (recent) and the 30 before that (previous), whether it
    grew (recent > previous), and counts per period; crossings ranked as hotspots."""
    if bucket not in ("month", "week"):
        raise ValidationFailed("bucket is not valid", [FieldProblem("bucket", "month or week")])
    graph = build_network(seizures)
    import networkx as nx

    betweenness = nx.betweenness_centrality(graph) if graph.number_of_nodes() > 2 else {}
    nodes = []
    for name, data in graph.nodes(data=True):
        nodes.append(
            {
                "id": name, "name": name, "roles": sorted(data["roles"]),
                "coordinates": data["coordinates"], "in": graph.in_degree(name),
                "out": graph.out_degree(name), "betweenness": round(betweenness.get(name, 0), 4),
                **_counts(data["seizures"], at, bucket),
            }
        )  # fmt: skip
    edges = [
        {"id": f"{a} → {b}", "source": a, "target": b, "kinds": sorted(data["kinds"]),
         **_counts(data["seizures"], at, bucket)}
        for a, b, data in graph.edges(data=True)
    ]  # fmt: skip
    routes: dict[tuple[str, ...], list[tuple[datetime, str, str]]] = {}
    for s in seizures:
        path = route_of(s)
        if len(path) > 1:
            routes.setdefault(path, []).append((s["seized_at"], s["id"], s["label"]))
    route_rows = [
        {"id": " → ".join(path), "path": list(path), **_counts(found, at, bucket)}
        for path, found in routes.items()
    ]
    route_rows.sort(key=lambda r: (-r["change"], -r["recent"], r["id"]))
    hotspots = [n for n in nodes if "crossing" in n["roles"]]
    hotspots.sort(key=lambda n: (-n["seizures"], -n["recent"], n["id"]))
    nodes.sort(key=lambda n: n["id"])
    edges.sort(key=lambda e: e["id"])
    periods = sorted({p for s in seizures for p in [_period(s["seized_at"], bucket)]})
    by_label: dict[str, int] = {}
    for s in seizures:
        by_label[s["label"]] = by_label.get(s["label"], 0) + 1
    return {
        "at": at.isoformat(),
        "window_days": WINDOW.days,
        "recent": [(at - WINDOW).isoformat(), at.isoformat()],
        "previous": [(at - 2 * WINDOW).isoformat(), (at - WINDOW).isoformat()],
        "bucket": bucket,
        "periods": periods,
        "nodes": nodes,
        "edges": edges,
        "routes": route_rows,
        "growing": [r["id"] for r in route_rows if r["grew"]],
        "hotspots": [
            {
                k: h[k]
                for k in (
                    "id",
                    "seizures",
                    "recent",
                    "previous",
                    "change",
                    "grew",
                    "by_period",
                    "coordinates",
                    "betweenness",
                    "derived_label",
                )
            }
            for h in hotspots
        ],
        "components": _components(graph) if len(graph) else 0,
        "items": [{"id": m, "label": m, "seizures": n} for m, n in sorted(by_label.items())],
    }


def seizure_records(features: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Seizure Features as the flat records the network is built from."""
    out = []
    for f in features:
        p = f["properties"]
        lon, lat = f["geometry"]["coordinates"]
        out.append({**p, "lon": lon, "lat": lat, "seized_at": datetime.fromisoformat(
            p["seized_at"].replace("Z", "+00:00"))})  # fmt: skip
    return out


# --- writes ---------------------------------------------------------------------------------


def _check(data: Mapping[str, Any], what: str) -> dict[str, Any]:
    def bad(field: str, message: str) -> ValidationFailed:
        return ValidationFailed(
            f"the {what} is not valid: {field} {message}", [FieldProblem(field, message)]
        )

    category = data.get("category")
    if category not in GOODS:
        raise bad("category", f"must be one of {', '.join(GOODS)}")
    unit = data.get("unit")
    if unit not in UNITS:
        raise bad("unit", f"must be one of {', '.join(UNITS)}")
    if category == "people" and unit != "persons":
        raise bad("unit", "people are counted in persons")
    quantity = data.get("quantity")
    if not isinstance(quantity, int | float) or isinstance(quantity, bool) or quantity <= 0:
        raise bad("quantity", "must be a positive number")
    try:
        seized_at = parse_time(data.get("seized_at"), field="seized_at")
    except DomainError as exc:
        raise bad(exc.field or "seized_at", exc.message) from None
    for name, limit in (("lon", 180), ("lat", 90)):
        value = data.get(name)
        if not isinstance(value, int | float) or isinstance(value, bool) or abs(value) > limit:
            raise bad(name, f"must be a number within ±{limit}")
    place = data.get("place")
    if not isinstance(place, str) or not place.strip():
        raise bad("place", "is required")
    texts = {}
    for name in (*ROUTE_PARTS, "chain", "description", "source"):
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise bad(name, "must be text")
        texts[name] = value.strip() or None if isinstance(value, str) else None
    if not any(texts[p] for p in ROUTE_PARTS):
        raise bad("crossing", "give at least one of origin, crossing point or destination")
    route = data.get("route") or {}
    if not isinstance(route, dict) or any(
        k not in ROUTE_PARTS
        or not isinstance(v, list)
        or len(v) != 2
        or not all(isinstance(x, int | float) for x in v)
        for k, v in route.items()
    ):
        raise bad("route", "must map origin, crossing or destination to [lon, lat]")
    return {
        "seized_at": seized_at, "category": category, "unit": unit, "quantity": float(quantity),
        "place": place.strip(), "lon": float(data["lon"]), "lat": float(data["lat"]),
        "route": route, "description": texts.pop("description") or "", **texts,
        "synthetic": bool(data.get("synthetic", False)),
    }  # fmt: skip


def add_seizures(
    store: Store, *, viewer: Viewer, items: Iterable[Mapping[str, Any]], mission: str = "KFOR"
) -> list[str]:
    """Record seizures (validated, labelled, audited in one transaction), each linked to the
    field reports its ``reports`` cites (uids of reports the writer may see); their uids."""
    listed = list(items)
    now = datetime.now(UTC)
    whats = ["seizure" if len(listed) == 1 else f"seizure {i}" for i in range(len(listed))]
    with store.write() as conn:
        rows = []
        for what, data in zip(whats, listed, strict=True):
            mission_id, default = mission_of(conn, data.get("mission") or mission)
            row = _check(data, what)
            uid = data.get("uid") or str(uuidlib.uuid4())
            if not isinstance(uid, str) or len(uid) > 64:
                raise ValidationFailed(f"the {what} is not valid", [FieldProblem("uid", "text")])
            label_id = label_id_for(conn, store, viewer, data.get("label"), default)
            rows.append(
                row | {"uid": uid, "mission_id": mission_id, "label_id": label_id,
                       "created_by": viewer.name, "created_at": now}
            )  # fmt: skip
        cited = check_citations(conn, viewer=viewer, records=list(zip(whats, listed, strict=True)))
        uids = [r["uid"] for r in rows]
        taken = seizure_store.taken_uids(conn, uids)
        if taken or len(set(uids)) != len(uids):
            raise Conflict(
                f"seizure {(taken or uids)[0]!r} exists already",
                [FieldProblem("uid", "already exists")],
            )
        seizure_store.add_seizures(conn, rows=rows)
        links = link(conn, table=seizures_table, uids=uids, cited=cited)
        audit.append(
            conn, actor=viewer.name, action="seizure.create",
            target=uids[0] if len(uids) == 1 else f"{len(uids)} seizures",
            detail={"seizures": uids[:1000], "reports_cited": links},
        )  # fmt: skip
    return uids


def routes_report(
    store: Store,
    *,
    viewer: Viewer,
    mission: str | None = None,
    at: datetime | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    categories: list[str] | None = None,
    bucket: str = "month",
) -> dict[str, Any]:
    """The route network of the seizures ``viewer`` may see (in ``start``..``end`` when
    given); growth counted back from ``at`` (default: ``end``, else now)."""
    with store.read() as conn:
        found = seizure_store.list_seizures(
            conn, viewer=viewer, mission=mission, start=start, end=end, categories=categories,
            with_reports=False,
        )  # fmt: skip
    when = at or end or datetime.now(UTC)
    return analyse(seizure_records(found), at=when, bucket=bucket)


def _components(graph: nx.DiGraph) -> int:
    """How many weakly connected parts the route network has."""
    import networkx as nx

    return int(nx.number_weakly_connected_components(graph))
