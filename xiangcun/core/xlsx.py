"""Kept for imports written before the Excel framework: `safe_cell` now lives in core/excel.py."""
from .excel import safe_cell  # noqa: F401
