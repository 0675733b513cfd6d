"""Browser test of the SITREP panel: the button opens it on the last 24 hours of the map's
window, and the download is the PDF the API makes for the page's user, with the same figures."""

from __future__ import annotations

import io

from playwright.sync_api import expect
from pypdf import PdfReader
from tests.conftest import LiveServer
from tests.web.test_map_page import (  # noqa: F401 - fixtures used by name
    DAY,
    NEXT_DAY,
    PARTNER,
    WATCHKEEPER,
    OpenPage,
    api_report_count,
    browser,
    open_logged_in,
    open_page,
)


def _text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() or "" for page in pages).split())


def _download(
    open_page: OpenPage,  # noqa: F811 - the fixture, passed on
    live_server: LiveServer,
    username: str,
) -> tuple[str, str, int]:
    """(file name, PDF text, the API's report count of the day) for ``username``."""
    page, watch = open_page()
    open_logged_in(page, live_server, username, DAY)
    page.get_by_role("button", name="SITREP").click()
    panel = page.get_by_role("region", name="SITREP")
    expect(panel).to_be_visible()
    # The last 24 hours of the map's window: the day shown.
    expect(panel.get_by_label("From (UTC)")).to_have_value(f"{DAY}T00:00")
    expect(panel.get_by_label("To (UTC)")).to_have_value(f"{NEXT_DAY}T00:00")
    panel.get_by_label("Format", exact=True).select_option("pdf")
    with page.expect_download(timeout=90_000) as info:
        panel.get_by_role("button", name="Download SITREP").click()
    download = info.value
    path = download.path()
    assert path is not None
    text = _text(path.read_bytes())
    expect(panel.get_by_role("status")).to_contain_text("Downloaded")
    count = api_report_count(page, DAY, NEXT_DAY)
    assert watch.console_errors == [] and watch.foreign_requests == []
    return download.suggested_filename, text, count


def test_the_sitrep_button_downloads_the_users_pdf(
    open_page: OpenPage,  # noqa: F811 - the fixture
    live_server: LiveServer,
) -> None:
    name, text, count = _download(open_page, live_server, WATCHKEEPER)
    assert name == "sitrep-KFOR-150000ZJUN99-160000ZJUN99.pdf"
    assert count > 0
    for section in ("1. Summary", "3. Significant events", "4. Violations", "5. Deadlines"):
        assert section in text
    # The summary's first row: the reports of the window, as the API counts them for this user.
    assert f"Reports {count} " in text
    # A partner's document holds fewer reports and never a banner above their clearance.
    _, theirs, their_count = _download(open_page, live_server, PARTNER)
    assert their_count < count and f"Reports {their_count} " in theirs
    assert "NATO SECRET" not in theirs and "NATO CONFIDENTIAL" not in theirs
