"""URLs of the core module (see core/access.py)."""
from xiangcun.core.access import Access

URLS = {
    "core:home": Access(),
    "core:jobs": Access(),
    "core:job": Access(obj="job"),
    "core:job_progress": Access(obj="job", headers={"HTTP_HX_REQUEST": "true"}),
}
