"""Exports of reports that leave the server: GeoJSON, ACLED-like CSV, KML, GPX and HXL.

Each writer streams: it reads the store one keyset page at a time and yields bytes as it goes,
so an export of millions of reports runs in constant memory. Every export holds only what its
viewer may see and carries the most restrictive label of what it holds, computed before the
first row is written (``plan.plan_export``).
"""
