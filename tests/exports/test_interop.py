"""Every export read by readers nobody here wrote: GDAL's ogrinfo, gpxpy, fastkml, libhxl."""

from __future__ import annotations

import re
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any

import gpxpy
import pytest

from peacewatch.store import Store
from tests.exports.conftest import N, export_bytes

OGRINFO = shutil.which("ogrinfo") or "/usr/bin/ogrinfo"
EXTENSIONS = {"geojson": "geojson", "csv": "csv", "kml": "kml", "gpx": "gpx", "hxl": "hxl.csv"}
OPEN_OPTIONS = {
    "csv": ["-oo", "X_POSSIBLE_NAMES=longitude", "-oo", "Y_POSSIBLE_NAMES=latitude"],
    "gpx": ["-oo", "GPX_USE_EXTENSIONS=YES"],
}


def _write(store: Store, fmt: str, tmp_path: Path) -> Path:
    path = tmp_path / f"reports.{EXTENSIONS[fmt]}"
    path.write_bytes(export_bytes(store, fmt))
    return path


def _ogrinfo(path: Path, *args: str) -> str:
    if not Path(OGRINFO).exists():
        pytest.fail("GDAL's ogrinfo is needed (apt install gdal-bin; make test does)")
    done = subprocess.run(
        [OGRINFO, "-ro", "-al", *args, str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "ERROR" not in done.stderr, done.stderr
    return done.stdout


@pytest.mark.parametrize("fmt", list(EXTENSIONS))
def test_ogrinfo_reads_every_export(
    store: Store, loaded: list[dict[str, Any]], fmt: str, tmp_path: Path
) -> None:
    path = _write(store, fmt, tmp_path)
    options = OPEN_OPTIONS.get(fmt, [])
    summary = _ogrinfo(path, "-so", *options)
    counts = [int(n) for n in re.findall(r"Feature Count: (\d+)", summary)]
    # HXL's hashtag row is a data row to a reader that does not know HXL.
    assert max(counts) == (N + 1 if fmt == "hxl" else N), summary
    full = _ogrinfo(path, "-q", *options)
    first = loaded[0]
    assert first["id"] in full
    assert "the bridge; café, 1999 & Ü" in full  # escaped on the way out, read back whole
    if fmt in ("geojson", "kml", "gpx", "csv"):
        assert len(re.findall(r"POINT \(", full)) == N
        lon, lat = first["lon"], first["lat"]
        assert f"POINT ({lon} {lat})" in full
    if fmt == "gpx":
        assert f"pw_label (String) = {first['label']}" in full


def test_gpxpy_reads_the_waypoints(
    store: Store, loaded: list[dict[str, Any]], tmp_path: Path
) -> None:
    gpx = gpxpy.parse(_write(store, "gpx", tmp_path).read_text())
    assert len(gpx.waypoints) == N
    by_name = {(round(w.longitude, 6), round(w.latitude, 6)): w for w in gpx.waypoints}
    for r in loaded:
        w = by_name[(r["lon"], r["lat"])]
        assert w.type == r["kind"] and w.time is not None and w.time.tzinfo is not None
    assert gpx.keywords and gpx.keywords.startswith("NATO SECRET")


def test_fastkml_reads_the_placemarks(
    store: Store, loaded: list[dict[str, Any]], tmp_path: Path
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fastkml warns that it would pretty-print with lxml
        from fastkml import KML

        kml = KML.from_string(_write(store, "kml", tmp_path).read_bytes())
    (document,) = kml.features
    placemarks = list(document.features)
    assert len(placemarks) == N
    assert document.description and "NATO SECRET" in document.description
    ids = {data.value for p in placemarks for data in p.extended_data.elements if data.name == "id"}
    assert ids == {r["id"] for r in loaded}
    assert {p.geometry.geom_type for p in placemarks} == {"Point"}


def test_libhxl_validates_and_reads_the_hxl_export(
    store: Store, loaded: list[dict[str, Any]], tmp_path: Path
) -> None:
    import hxl

    path = str(_write(store, "hxl", tmp_path))
    options = hxl.InputOptions(allow_local=True)
    assert hxl.schema().validate(hxl.data(path, options))
    source = hxl.data(path, options)
    for tag in ("#event+id", "#event+type", "#date+occurred", "#geo+lat", "#geo+lon",
                "#adm1+name", "#org", "#affected+killed", "#meta+label"):  # fmt: skip
        assert tag in source.display_tags, tag
    rows = list(source)
    assert len(rows) == N
    assert {row.get("#event+id") for row in rows} == {r["id"] for r in loaded}
    killed = [row.get("#affected+killed") for row in rows if row.get("#affected+killed")]
    assert killed and all(k.isdigit() for k in killed)
