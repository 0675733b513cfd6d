"""Placeholder: routes arrive with issue 5."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
