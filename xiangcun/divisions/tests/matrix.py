"""The permission matrix's data for the divisions module (see core/tests/test_matrix.py): what each URL is
called with and what a permitted user gets (`Case`), and the objects of its own kinds (`OBJECTS`)."""
from xiangcun.core.tests.matrix import Case

CASES = {
    "divisions:detail": Case(obj="division"),
    "divisions:lineage": Case(obj="division"),
    "divisions:children": Case(obj="division"),
    "divisions:group_add": Case(obj="village", method="post", ok=400),  # empty: refused on the page
    "divisions:group_import": Case(obj="village", method="post", ok=302),
    "divisions:run": Case(obj="run"),
    "divisions:proposal_decide": Case(obj="proposal", method="post", ok=302),
    # REST API (DRF router names)
    "api-token": Case(method="post", ok=400),  # no credentials given
    "division-detail": Case(obj="division"),
    "division-tree": Case(obj="division", query={"date": "2021-01-01"}),
    "division-lineage": Case(obj="division"),
    "division-successors": Case(obj="division"),
    "division-event-detail": Case(obj="event"),
    "edition-detail": Case(obj="edition"),
    "division-stats-list": Case(obj="stats_scope", ok=200),
}
