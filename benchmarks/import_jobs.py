"""How long a large Excel upload keeps a web request busy: checked in the request (the flow below
XIANGCUN_IMPORT_JOB_ROWS) versus stored and checked by a background job (above it).

Measures, for an asset sheet of N rows on a province-sized registry: the upload request with the check in
the request; the upload request that only stores the file and starts the job; the job itself; the preview
page rendered from the job's stored preview; the confirm request and the write job.

Usage: python benchmarks/import_jobs.py [--rows 20000] [--postgresql] [--no-write | --out FILE]
"""
import argparse
import io
import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402


def timed(fn):
    t = time.perf_counter()
    value = fn()
    return value, round(time.perf_counter() - t, 2)


def run(rows: int, backend: str) -> list[dict]:
    _django.setup(backend)
    from assets import build_registry, import_sheet
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment

    from xiangcun.accounts.models import Role, User
    from xiangcun.assets.models import Asset
    from xiangcun.core.jobs import execute
    from xiangcun.core.models import Job

    setup_test_environment()
    prov, counties, townships, villages = build_registry()
    user = User.objects.create_user("prov", password="x", role=Role.REFORM_OFFICE, jurisdiction=prov)
    client = Client()
    client.force_login(user)
    data = import_sheet(rows, villages[:3000])
    out = []

    def post_file():
        f = io.BytesIO(data)
        f.name = "台账.xlsx"
        return client.post("/assets/import/", {"file": f})

    with override_settings(IMPORT_JOB_ROWS=10**9):
        answer, seconds = timed(post_file)
        assert answer.status_code == 200, answer.status_code
    out.append({"bench": "upload_checked_in_request", "rows": rows, "request_s": seconds})
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        answer, seconds = timed(post_file)
        assert answer.status_code == 302, answer.status_code
        out.append({"bench": "upload_stored_job_started", "rows": rows, "request_s": seconds})
        job = Job.objects.get(kind="excel_preview")
        _, seconds = timed(lambda: execute.call(job.pk))
        job.refresh_from_db()
        assert job.status == "succeeded", job.error
        out.append({"bench": "preview_job", "rows": rows, "job_s": seconds})
        page, seconds = timed(lambda: client.get(answer["Location"]))
        assert page.status_code == 200 and f"全部 {rows} 行检查通过" in page.content.decode()
        out.append({"bench": "preview_page_from_stored_preview", "request_s": seconds})
        token = answer["Location"].split("token=")[1]
        confirm, seconds = timed(lambda: client.post("/assets/import/", {"action": "confirm", "token": token}))
        assert confirm.status_code == 302
        out.append({"bench": "confirm_job_started", "request_s": seconds})
        write = Job.objects.get(kind="excel_import")
        _, seconds = timed(lambda: execute.call(write.pk))
        write.refresh_from_db()
        assert write.status == "succeeded" and write.result["written"], write.error
        assert Asset.objects.filter(ledger_no__startswith="IMP-").count() == rows
        out.append({"bench": "import_job", "rows": rows, "job_s": seconds})
    for line in out:
        print(json.dumps(line, ensure_ascii=False), flush=True)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--postgresql", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--out")
    args = parser.parse_args()
    backend = "postgresql" if args.postgresql else "sqlite"
    out = run(args.rows, backend)
    by = {o["bench"]: o for o in out}
    body = (f"## Large Excel uploads as background jobs ({backend})\n\n"
            f"`python benchmarks/import_jobs.py --rows {args.rows}` on {platform.machine()}, {platform.python_version()}: "
            f"an asset sheet of {args.rows} rows on a province-sized registry.\n\n"
            "| step | seconds |\n|---|---|\n"
            f"| upload request, checked in the request (below the threshold) | {by['upload_checked_in_request']['request_s']} |\n"
            f"| upload request, stored and job started (above the threshold) | {by['upload_stored_job_started']['request_s']} |\n"
            f"| preview job (the same check, in the worker) | {by['preview_job']['job_s']} |\n"
            f"| preview page from the stored preview | {by['preview_page_from_stored_preview']['request_s']} |\n"
            f"| confirm request (starts the write job) | {by['confirm_job_started']['request_s']} |\n"
            f"| write job (checked again, one atomic write) | {by['import_job']['job_s']} |\n")
    if args.out:
        Path(args.out).write_text(body, encoding="utf-8")
    elif not args.no_write:
        _django.write_section(f"Large Excel uploads as background jobs ({backend})", body)
    print(body)


if __name__ == "__main__":
    main()
