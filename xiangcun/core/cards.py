"""Cards on the workbench (工作台) that modules contribute: what is waiting for this user.

An app adds `home.py` with `cards(request) -> list[Card]`; the workbench shows the cards of every
installed app in INSTALLED_APPS order. A card is a few counts, each a link to the filtered page.
"""
from dataclasses import dataclass, field


@dataclass
class Count:
    label: str
    value: int
    url: str
    tone: str = ""        # "danger", "warning" or "" (Bootstrap text colours)
    capped: bool = False  # the value is a lower bound ("1000+")


@dataclass
class Card:
    title: str
    counts: list[Count]
    actions: list[tuple[str, str]] = field(default_factory=list)  # (label, url) buttons


def capped_count(qs, cap: int = 999) -> tuple[int, bool]:
    """(count, more) counting at most cap + 1 rows: a province's queue is not counted row by row."""
    n = qs.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


def cards(request) -> list[Card]:
    from .discovery import app_modules

    found = []
    for module in app_modules("home"):
        found.extend(module.cards(request))
    return found
