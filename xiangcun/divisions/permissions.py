"""What each role may read and change in the divisions module, and its URLs.

Everybody reads the registry within their jurisdiction; the county reform office, the 民政 department
and administrators change it (import editions, confirm reconciliations, record events, villager groups).
"""
from xiangcun.core.access import Access


def editors(user) -> bool:
    return user.may_change_divisions()


URLS = {
    "divisions:list": Access(),
    "divisions:export": Access(),
    "divisions:detail": Access(obj="division"),
    "divisions:lineage": Access(obj="division"),
    "divisions:group_add": Access(allowed=editors, obj="village", method="post", ok=302),
    "divisions:group_import": Access(allowed=editors, obj="village", method="post", ok=302),
    "divisions:group_template": Access(),
    "divisions:events": Access(),
    "divisions:event_new": Access(allowed=editors),
    "divisions:event_import": Access(allowed=editors),
    "divisions:event_template": Access(),
    "divisions:stats": Access(),
    "divisions:map": Access(),
    "divisions:geojson": Access(),
    "divisions:editions": Access(),
    "divisions:runs": Access(),
    "divisions:run": Access(obj="run"),
    "divisions:proposal_decide": Access(allowed=editors, obj="proposal", method="post", ok=302),
    # REST API (DRF router names)
    "api-root": Access(),
    "api-token": Access(public=True, method="post", ok=400),  # no credentials given
    "api-schema": Access(),
    "api-docs": Access(),
    "division-list": Access(),
    "division-detail": Access(obj="division"),
    "division-tree": Access(obj="division", query={"date": "2021-01-01"}),
    "division-lineage": Access(obj="division"),
    "division-successors": Access(obj="division"),
    "division-event-list": Access(),
    "division-event-detail": Access(obj="event"),
    "edition-list": Access(),
    "edition-detail": Access(obj="edition"),
    "division-stats-list": Access(obj="stats_scope", ok=200),
}
