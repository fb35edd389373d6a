"""The left navigation, assembled from each app's `nav.py` and filtered by what the user may open.

An app's nav.py: SECTIONS = [(order, "标题", [(url_name, "链接文字", allowed_or_None), ...]), ...]
`allowed` is the same predicate its permissions.URLS uses, so nobody is shown a link that answers 403.
"""
from functools import lru_cache

from xiangcun.core.discovery import app_modules


@lru_cache(maxsize=1)
def _sections():
    found = []
    for module in app_modules("nav"):
        found.extend(module.SECTIONS)
    merged = {}
    for _order, title, items in sorted(found, key=lambda s: s[0]):
        merged.setdefault(title, []).extend(items)
    return list(merged.items())


def navigation(request):
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    sections = []
    if user is not None and user.is_authenticated:
        answers = {}  # each predicate asked once per page (several links share one, some of them query)

        def may(allowed) -> bool:
            if allowed not in answers:
                answers[allowed] = allowed(user)
            return answers[allowed]

        for title, items in _sections():
            visible = [(name, label) for name, label, allowed in items if allowed is None or may(allowed)]
            if visible:
                sections.append((title, visible))
    current = f"{match.namespace}:{match.url_name}" if match else ""
    return {"navigation": sections, "current_view": current}
