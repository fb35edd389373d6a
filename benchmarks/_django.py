"""Start Django for a benchmark against a fresh database: SQLite in a temp dir, or PostgreSQL."""
import os
import resource
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/xiangcun_bench"


def fresh_database(name: str, reuse: bool = False) -> bool:
    """Point DATABASE_URL at the PostgreSQL database `name`, dropped and created afresh — or, with `reuse`,
    kept as it is when it exists. True when an existing database was kept."""
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        kept = bool(reuse and exists)
        if not kept:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    return kept


def start_django():
    """Start Django on the database the environment names and migrate it."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "xiangcun.settings"
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def setup(backend: str):
    os.environ["XIANGCUN_DATA_DIR"] = tempfile.mkdtemp(prefix="xiangcun-bench-")
    if backend == "postgresql":
        fresh_database("xiangcun_bench")
    else:
        os.environ.pop("DATABASE_URL", None)
    start_django()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_section(heading: str, body: str):
    """Replace (or append) one `## heading` section of docs/benchmarks.md."""
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    marker = f"## {heading}"
    start = text.find(marker)
    if start >= 0:
        end = text.find("\n## ", start + len(marker))
        text = text[:start] + body.rstrip() + "\n" + (text[end:] if end >= 0 else "")
    else:
        text = text.rstrip() + "\n\n" + body.rstrip() + "\n"
    path.write_text(text, encoding="utf-8")
