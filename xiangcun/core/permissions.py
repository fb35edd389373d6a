"""URLs of the core module (see core/access.py)."""
from xiangcun.core.access import Access
from xiangcun.core.audit_views import may_read_log

URLS = {
    "core:home": Access(),
    "core:jobs": Access(),
    "core:job": Access(obj="job"),
    "core:job_progress": Access(obj="job", headers={"HTTP_HX_REQUEST": "true"}),
    "core:audit_log": Access(allowed=may_read_log),
    "core:audit_history": Access(obj="division", kwargs={"model": "divisions.division"}),
}
