"""The built front end: hashed bundles, versioned basemap cells and glyph ranges are cached for
good, everything else is revalidated."""

from __future__ import annotations

import re
from typing import Any


def test_hashed_assets_are_immutable_and_the_rest_revalidated(anonymous: Any) -> None:
    page = anonymous.get("/")
    assert page.status_code == 200
    bundles = re.findall(r'(?:src|href)="(/assets/[^"]+)"', page.text)
    assert bundles, "the page names no bundle: is the web front end built?"
    for path in bundles:
        got = anonymous.get(path)
        assert got.status_code == 200
        assert got.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "immutable" not in page.headers.get("cache-control", "")
    world = anonymous.get("/basemap/world.json")
    assert world.status_code == 200
    assert "immutable" not in world.headers.get("cache-control", "")
    # A cell asked for with the cells' hash, as the page does, is kept; without it, revalidated.
    index = world.json()
    assert re.fullmatch(r"[0-9a-f]{16}", index["version"])
    cell = f"/basemap/10m/{index['cells']['10m'][0]}.json"
    versioned = anonymous.get(f"{cell}?v={index['version']}")
    assert versioned.status_code == 200
    assert versioned.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "immutable" not in anonymous.get(cell).headers.get("cache-control", "")
    # Only a parameter named v is a version, not one that merely ends in "v".
    assert "immutable" not in anonymous.get(f"{cell}?nav=1").headers.get("cache-control", "")
    assert anonymous.get("/assets/no-such-bundle.js").status_code == 404


def test_glyphs_are_asked_for_with_the_builds_hash_and_kept(anonymous: Any) -> None:
    page = anonymous.get("/")
    bundle = re.search(r'src="(/assets/index-[^"]+\.js)"', page.text)
    assert bundle, "the page names no bundle: is the web front end built?"
    # The style's glyph URL template, as built into the page's bundle.
    found = re.search(
        r"/fonts/\{fontstack\}/\{range\}\.pbf\?v=([0-9a-f]{16})", anonymous.get(bundle[1]).text
    )
    assert found, "the page asks for glyphs without a version"
    glyphs = "/fonts/Noto%20Sans%20Regular/0-255.pbf"
    versioned = anonymous.get(f"{glyphs}?v={found[1]}")
    assert versioned.status_code == 200
    assert versioned.content, "an empty glyph range"
    assert versioned.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "immutable" not in anonymous.get(glyphs).headers.get("cache-control", "")
