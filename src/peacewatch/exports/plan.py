"""What an export will hold and under which label, decided before a byte is written."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from peacewatch.domain.labels import Classification, Label, Viewer, most_restrictive
from peacewatch.store import Store, audit
from peacewatch.store.reports import BBox, list_reports, report_label_markings

PAGE_SIZE = 5000


@dataclass(frozen=True)
class Filters:
    """The filters of an export: those of ``GET /api/v1/reports`` without paging."""

    mission: str | None = None
    bbox: BBox | None = None
    start: datetime | None = None
    end: datetime | None = None
    kinds: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    classification: str | None = None
    zone: str | None = None
    q: str | None = None

    def query(self) -> dict[str, Any]:
        """Keyword arguments of the store's report reads (``store.reports.report_filters``)."""
        out: dict[str, Any] = {
            "mission": self.mission,
            "bbox": self.bbox,
            "start": self.start,
            "end": self.end,
            "kinds": self.kinds,
            "parties_": self.parties,
        }
        search = {"grades": self.grades, "classification": self.classification,
                  "zone": self.zone, "q": self.q}  # fmt: skip
        return out | {k: v for k, v in search.items() if v}

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the audit trail."""
        out: dict[str, Any] = {
            "mission": self.mission,
            "bbox": list(self.bbox) if self.bbox else None,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "kinds": list(self.kinds),
            "parties": list(self.parties),
            "grades": list(self.grades),
            "classification": self.classification,
            "zone": self.zone,
            "q": self.q,
        }
        return {k: v for k, v in out.items() if v not in (None, [])}


@dataclass
class Plan:
    """An export to be streamed: its viewer, filters, label, and (once streamed) its count."""

    store: Store
    viewer: Viewer
    filters: Filters
    label: Label
    markings: frozenset[str]
    count: int = 0
    page_size: int = PAGE_SIZE

    @staticmethod
    def parse(page: list[str]) -> Iterator[dict[str, Any]]:
        """The properties of a page's features, with ``_coordinates`` ([lon, lat]) added."""
        for text in page:
            feature = orjson.loads(text)
            props: dict[str, Any] = feature["properties"]
            props["_coordinates"] = feature["geometry"]["coordinates"]
            yield props

    def pages(self) -> Iterator[list[str]]:
        """Feature texts page by page; each page is read in its own short read transaction."""
        for page in self._pages(table=False):
            yield [text for text, _ in page]

    def rows(self) -> Iterator[list[tuple[Any, ...]]]:
        """Pages of (store.reports.TABLE_COLUMNS values…, id, label) for tabular formats."""
        yield from self._pages(table=True)

    def _pages(self, *, table: bool) -> Iterator[list[Any]]:
        cursor: str | None = None
        while True:
            with self.store.read() as conn:
                page = list_reports(
                    conn,
                    viewer=self.viewer,
                    limit=self.page_size,
                    cursor=cursor,
                    table=table,
                    **self.filters.query(),
                )
            # A report stored after the label was computed may carry a label outside it;
            # it waits for the next export rather than leave under a label that omits it.
            if table:
                items: list[Any] = [
                    (*row, uuid, marking)
                    for row, uuid, marking in zip(page.table, page.ids, page.labels, strict=True)
                    if marking in self.markings
                ]
            else:
                items = [
                    (text, marking)
                    for text, marking in zip(page.feature_json, page.labels, strict=True)
                    if marking in self.markings
                ]
            self.count += len(items)
            if items:
                yield items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor


def plan_export(
    store: Store, *, viewer: Viewer, filters: Filters, page_size: int = PAGE_SIZE
) -> Plan:
    """The export's label: the most restrictive of the distinct labels of the rows it will
    hold (one SQL aggregate through the label filter). An export that holds nothing is
    NATO UNCLASSIFIED, releasable to the viewer's nation and communities."""
    with store.read() as conn:
        markings = report_label_markings(conn, viewer=viewer, **filters.query())
    labels = [Label.parse(m) for m in markings]
    label = (
        most_restrictive(labels)
        if labels
        else Label(Classification.NATO_UNCLASSIFIED, viewer.codes)
    )
    return Plan(store, viewer, filters, label, frozenset(markings), page_size=page_size)


def record_export(plan: Plan, *, fmt: str, outcome: str = "ok", target: str = "reports") -> None:
    """Append the export to the audit trail: who, which format, how many, which filter."""
    with plan.store.write() as conn:
        audit.append(
            conn,
            actor=plan.viewer.name,
            action="export",
            target=target,
            outcome=outcome,
            detail={
                "format": fmt,
                "count": plan.count,
                "filter": plan.filters.to_dict(),
                "label": plan.label.marking,
            },
        )
