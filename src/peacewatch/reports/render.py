"""The SITREP as a document: HTML from a Jinja2 template (banner top and bottom, times as DTGs,
charts and a map as embedded PNGs), and PDF made from that same HTML by WeasyPrint."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from peacewatch.domain.dtg import format_dtg
from peacewatch.errors import FieldProblem, ValidationFailed

FORMATS = ("json", "html", "pdf")
MEDIA_TYPES = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
_TEMPLATES = Path(__file__).parent / "templates"


def check_format(fmt: str) -> str:
    """``fmt`` when it is one of json, html, pdf; else a 422 naming ``format``."""
    if fmt not in FORMATS:
        raise ValidationFailed(
            f"cannot write a SITREP as {fmt!r}", [FieldProblem("format", "json, html or pdf")]
        )
    return fmt


def dtg(value: str | None) -> str:
    """RFC 3339 text as a date-time group, e.g. 151200ZJUN99 ('—' for none)."""
    if not value:
        return "—"
    return format_dtg(datetime.fromisoformat(value.replace("Z", "+00:00")))


def signed(value: int | float) -> str:
    """A change with its sign: +3, -2, 0."""
    return f"{value:+d}" if isinstance(value, int) and value else str(value)


def words(value: Any) -> str:
    """A code as words: heavy_weapons_fire → heavy weapons fire."""
    return "—" if value is None else str(value).replace("_", " ")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(dtg=dtg, signed=signed, words=words)
    return env


def pictures(body: dict[str, Any]) -> dict[str, str | None]:
    """The document's charts and map, as data URIs (None where there is nothing to draw)."""
    # Imported when a document is drawn: matplotlib is ~30 MB that an idle web worker, which
    # may never write a SITREP, should not carry (issue 10: idle memory).
    from peacewatch.reports import charts

    return {
        "kind": charts.change_chart(body["counts"]["kind"], "Reports by kind"),
        "sector": charts.change_chart(body["counts"]["sector"], "Reports by sector"),
        "map": charts.period_map(
            body["map"]["zones"],
            body["map"]["points"],
            body["violations"]["listed"],
            body["events"]["top"],
        ),
    }


def html(body: dict[str, Any]) -> str:
    """The SITREP ``body`` (from ``sitrep.build``) as a standalone HTML page."""
    return _environment().get_template("sitrep.html.j2").render(s=body, pictures=pictures(body))


def pdf(body: dict[str, Any]) -> bytes:
    """The same document as PDF (WeasyPrint, from the HTML)."""
    import weasyprint  # imported when asked for: it loads Pango, which costs a second

    # Everything the document shows is inside it (data URIs): nothing is ever fetched.
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    document = weasyprint.HTML(string=html(body), url_fetcher=fetcher)
    out: bytes = document.write_pdf()
    return out
