"""Panels on the 改革驾驶舱 that modules contribute: a small table of progress for the place on the dashboard.

An app adds `cockpit.py` with `panels(request, scope) -> list[Panel]`; the dashboard (indicators, a lower floor)
shows the panels of every installed app in INSTALLED_APPS order without importing them. Each row may link to the
module's filtered page; the figures are what the user may see in that place.
"""
from dataclasses import dataclass, field


@dataclass
class Row:
    label: str
    values: list
    url: str = ""
    tone: str = ""  # "danger", "warning" or "": a row that needs attention


@dataclass
class Panel:
    title: str
    headers: list[str]        # the value columns' headings (the label column is headed by `first`)
    rows: list[Row]
    first: str = ""
    note: str = ""
    more: list[tuple[str, str]] = field(default_factory=list)  # (label, url) links under the table


def panels(request, scope) -> list[Panel]:
    from .discovery import app_modules

    found = []
    for module in app_modules("cockpit"):
        found.extend(module.panels(request, scope))
    return found
