"""What each role may do in the core module, and its URLs (enforced by core.access)."""
from xiangcun.core.access import Access

URLS = {
    "core:healthz": Access(public=True),
    "core:readyz": Access(public=True),
    "core:jobs": Access(),
    "core:job": Access(),
    "core:job_progress": Access(),
}
