"""Lists that grow with a province (audit log, cases, assets, units …) count at most COUNT_CAP rows per page view:
every paginated page goes through core.paging.CappedPaginator, and its count reads "10000+" past the cap."""
import re
from pathlib import Path

import pytest

from xiangcun.core.paging import CappedPaginator

APP_ROOT = Path(__file__).resolve().parents[2]


def test_every_page_paginates_with_a_capped_count():
    plain = []
    for path in APP_ROOT.rglob("*.py"):
        if "tests" in path.parts or path.name == "paging.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"(?<![\w.])Paginator\(", line):
                plain.append(f"{path.relative_to(APP_ROOT)}:{n}")
    assert not plain, f"an uncapped Paginator counts every row of a growing list: {plain}"


@pytest.mark.django_db
def test_the_count_stops_at_the_cap_and_says_so(maerkang):
    from xiangcun.divisions.models import Division

    rows = Division.objects.all().order_by("pk")
    total = rows.count()
    capped = CappedPaginator(rows, 10, cap=total - 5)
    assert capped.count == total - 5 and capped.capped
    exact = CappedPaginator(rows, 10, cap=total + 5)
    assert exact.count == total and not exact.capped
