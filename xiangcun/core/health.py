"""Probes for a load balancer: /healthz (the process answers) and /readyz (it can serve).

Both are public, cheap and say nothing about the data: /readyz names only which check failed.
"""
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .workers import worker_alive_recently

_migrated = False  # once the schema is current it stays so for this process's code


def _migrations_applied() -> bool:
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connection)
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated


@login_not_required
@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_safe
def readyz(request):
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        checks["migrations"] = "ok" if _migrations_applied() else "pending"
        checks["worker"] = "ok" if worker_alive_recently() else "none"
    except DatabaseError:
        checks.setdefault("database", "unavailable")
    ready = all(v == "ok" for v in checks.values()) and len(checks) == 3
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)
