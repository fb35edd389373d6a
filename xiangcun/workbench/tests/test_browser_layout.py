"""Every page of the sidebar, opened on a 1000-pixel-wide window: no button label breaks over two lines (“筛选” once
stacked a character per line) and no page is wider than the window (a wide table scrolls inside its own box)."""
import os

import pytest

from conftest import page, sign_in  # noqa: F401
from xiangcun.accounts.models import Role

pytestmark = [pytest.mark.browser]

CHECK = """() => {
  const lines = el => { const r = document.createRange(); r.selectNodeContents(el);
                        return new Set(Array.from(r.getClientRects()).filter(x => x.width > 0).map(x => Math.round(x.top))).size; };
  const broken = Array.from(document.querySelectorAll('main .btn, .content .btn, form .btn'))
    .filter(b => b.offsetParent !== null && b.textContent.trim() && lines(b) > 1).map(b => b.textContent.trim());
  return { broken: broken, wide: document.documentElement.scrollWidth > window.innerWidth + 1,
           width: document.documentElement.scrollWidth };
}"""


@pytest.mark.django_db(transaction=True)
def test_sidebar_pages_fit_a_1000_pixel_window(page, maerkang, make_user, tmp_path):  # noqa: F811
    make_user("office", Role.REFORM_OFFICE, maerkang)
    page.set_viewport_size({"width": 1000, "height": 800})
    sign_in(page, "office")
    links = page.evaluate("() => Array.from(document.querySelectorAll('.sidebar a')).map(a => [a.textContent.trim(), a.getAttribute('href')])")
    assert len(links) > 15
    shots = os.environ.get("XC_SHOTS") or str(tmp_path)
    problems = {}
    for text, href in links:
        if not href or not href.startswith("/") or href.startswith("/api/"):
            continue
        page.goto(page.base + href)
        page.wait_for_load_state("load")
        found = page.evaluate(CHECK)
        if found["broken"] or found["wide"]:
            problems[f"{text} {href}"] = found
            page.screenshot(path=f"{shots}/layout_{href.strip('/').replace('/', '_') or 'home'}.png", full_page=True)
    assert not problems, problems
