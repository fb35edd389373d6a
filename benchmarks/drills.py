"""Fault drills for serving and workers, each printing what happened and recording it in docs/benchmarks.md.

    .venv/bin/python benchmarks/drills.py [--backend sqlite|postgresql] [--pg-restart] [--no-write]

1. exactly once: 4 workers race for 40 jobs; every job runs once (its execution counter is 1).
2. graceful stop: SIGTERM during a job; the worker finishes it, then exits.
3. worker killed mid-import: SIGKILL during the national NBS import; the other worker fails the job in
   Chinese, no row of the edition was written; the import resubmitted succeeds.
4. lock-out across two web servers: two `xiangcun serve` instances sharing Redis; five failed logins on
   the first lock the account on the second.
5. (--pg-restart, PostgreSQL only; restarts the local cluster, so not while others use it) pages answer
   the Chinese 503 while PostgreSQL restarts and 200 again afterwards, without restarting the server.
"""
import argparse
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from _django import ROOT, setup, write_section

XIANGCUN = str(ROOT / ".venv" / "bin" / "xiangcun")
NBS = ROOT.parent / "shared" / "data" / "nbs" / "2021.csv.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_worker(env) -> subprocess.Popen:
    return subprocess.Popen([XIANGCUN, "worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(predicate, timeout: float, step: float = 0.2):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def drill_exactly_once(env):
    from xiangcun.core import jobs
    from xiangcun.core.models import Job, JobStatus

    procs = [start_worker(env) for _ in range(4)]
    try:
        t0 = time.monotonic()
        ids = [jobs.start("ping", f"自检{i}").pk for i in range(40)]
        done = wait_for(lambda: Job.objects.filter(pk__in=ids, status=JobStatus.SUCCEEDED).count() == 40, 120)
        elapsed = time.monotonic() - t0
        rows = list(Job.objects.filter(pk__in=ids).values_list("done", "worker"))
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(30)
    runs = sorted({d for d, _ in rows})
    spread = len({w for _, w in rows})
    ok = bool(done) and runs == [1]
    return ok, f"40 jobs, 4 workers: all finished = {bool(done)}, executions per job = {runs}, workers used = {spread}, {elapsed:.1f} s"


def drill_graceful_stop(env):
    from xiangcun.core import jobs
    from xiangcun.core.models import Job, JobStatus

    proc = start_worker(env)
    job = jobs.start("ping", "自检(3 秒)", seconds=3)
    wait_for(lambda: Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).exists(), 30)
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(60)
    job.refresh_from_db()
    ok = job.status == JobStatus.SUCCEEDED and code == 0
    return ok, f"SIGTERM 1 job in: job {job.get_status_display()}, worker exit code {code}"


def drill_worker_killed(env):
    from xiangcun.core import jobs
    from xiangcun.core.models import Job, JobStatus, WorkerBeat
    from xiangcun.divisions.models import Edition, EditionEntry

    if not NBS.exists():
        return None, f"skipped: {NBS} not present"
    victim = start_worker(env)
    job = jobs.start("nbs_import", "导入2021年版", path=str(NBS), edition=2021, ref_date="2021-10-31")
    wait_for(lambda: Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).exists(), 60)
    time.sleep(3)  # in the middle of parsing/writing the national file
    victim.kill()
    victim.wait()
    t_kill = time.monotonic()
    survivor = start_worker(env)
    try:
        failed = wait_for(lambda: Job.objects.filter(pk=job.pk, status=JobStatus.FAILED).exists(), 60)
        noticed = time.monotonic() - t_kill
        job.refresh_from_db()
        half = Edition.objects.filter(year=2021).count(), EditionEntry.objects.count()
        again = jobs.start("nbs_import", "重新导入2021年版", path=str(NBS), edition=2021, ref_date="2021-10-31")
        redone = wait_for(lambda: Job.objects.filter(pk=again.pk, status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED])
                          .exclude(status=JobStatus.RUNNING).first(), 300, 0.5)
        entries = EditionEntry.objects.count()
    finally:
        survivor.send_signal(signal.SIGTERM)
        survivor.wait(60)
    ok = bool(failed) and half == (0, 0) and redone is not None and redone.status == JobStatus.SUCCEEDED
    return ok, (f"killed at 3 s: job failed after {noticed:.1f} s with “{job.error[:60]}…”; rows left by the killed "
                f"import: editions {half[0]}, entries {half[1]}; resubmitted: {redone and redone.get_status_display()}, "
                f"{entries:,} entries; beats recorded: {WorkerBeat.objects.count()}")


def _client():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def _login(base, username, password):
    opener, jar = _client()
    page = opener.open(base + "/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token}).encode()
    req = urllib.request.Request(base + "/accounts/login/", data=data, headers={"Referer": base + "/accounts/login/"})
    try:
        resp = opener.open(req)
        return resp.status, resp.geturl(), resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, "", e.read().decode()


def _serve(env, port):
    proc = subprocess.Popen([XIANGCUN, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: _up(port), 30)
    return proc


def _up(port):
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).status == 200
    except OSError:
        return False


def drill_lockout_two_servers(env):
    from xiangcun.accounts.models import Role, User

    env = {**env, "REDIS_URL": "redis://127.0.0.1:6379/14"}
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    User.objects.filter(username="drill").delete()
    User.objects.create_user("drill", password="drill-pass-2026", role=Role.ADMIN)
    a, b = free_port(), free_port()
    servers = [_serve(env, a), _serve(env, b)]
    try:
        for _ in range(5):
            _login(f"http://127.0.0.1:{a}", "drill", "wrong-password")
        status, url, body = _login(f"http://127.0.0.1:{b}", "drill", "drill-pass-2026")
    finally:
        for s in servers:
            s.send_signal(signal.SIGTERM)
            s.wait(30)
    locked = status == 429 or "锁定" in body
    return locked, f"5 failures on server A, right password on server B: HTTP {status}, locked = {locked}"


def drill_pg_restart(env):
    from xiangcun.accounts.models import Role, User

    User.objects.filter(username="drill2").delete()
    User.objects.create_user("drill2", password="drill-pass-2026", role=Role.ADMIN)
    port = free_port()
    server = _serve(env, port)
    base = f"http://127.0.0.1:{port}"
    seen = []
    try:
        opener, _ = _client()
        page = opener.open(base + "/accounts/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        opener.open(urllib.request.Request(base + "/accounts/login/", data=urllib.parse.urlencode(
            {"username": "drill2", "password": "drill-pass-2026", "csrfmiddlewaretoken": token}).encode(),
            headers={"Referer": base + "/accounts/login/"}))
        cluster = sorted(os.listdir("/etc/postgresql"))[0]
        restart = subprocess.Popen(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"])
        end = time.monotonic() + 20
        while time.monotonic() < end:
            try:
                r = opener.open(base + "/jobs/", timeout=10)
                seen.append((r.status, ""))
            except urllib.error.HTTPError as e:
                seen.append((e.code, e.read().decode()))
            time.sleep(0.1)
        restart.wait()
        final = opener.open(base + "/jobs/").status
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    codes = sorted({c for c, _ in seen})
    chinese = all("服务暂时不可用" in body for c, body in seen if c == 503)
    ok = final == 200 and set(codes) <= {200, 503} and chinese
    return ok, f"status codes during the restart: {codes} ({len(seen)} requests), 503 pages in Chinese: {chinese}; after: {final}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-restart", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    setup(args.backend)
    env = {**os.environ}
    results = []
    drills = [("每个任务只执行一次(4 个进程抢 40 个任务)", drill_exactly_once),
              ("SIGTERM 平稳停止", drill_graceful_stop),
              ("导入中途杀死后台进程", drill_worker_killed),
              ("两台网站服务器共享登录锁定(Redis)", drill_lockout_two_servers)]
    if args.pg_restart and args.backend == "postgresql":
        drills.append(("PostgreSQL 重启期间与之后", drill_pg_restart))
    for title, fn in drills:
        t0 = time.monotonic()
        ok, detail = fn(env)
        verdict = "通过" if ok else ("跳过" if ok is None else "失败")
        print(f"[{verdict}] {title}: {detail} ({time.monotonic() - t0:.1f} s)", flush=True)
        results.append((title, verdict, detail))
    load = os.getloadavg()
    if not args.no_write:
        rows = "\n".join(f"| {t} | {v} | {d} |" for t, v, d in results)
        write_section(f"Fault drills ({args.backend})", (
            f"## Fault drills ({args.backend})\n\n`benchmarks/drills.py --backend {args.backend}` on "
            f"{time.strftime('%Y-%m-%d')}, 2 cores, load average {load[0]:.1f}.\n\n| drill | result | what happened |\n"
            f"|---|---|---|\n{rows}\n"))
    sys.exit(0 if all(v != "失败" for _, v, _ in results) else 1)


if __name__ == "__main__":
    main()
