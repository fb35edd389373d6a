"""The `xiangcun` command line: management commands for operators, plus the Django-free `locate`.

    xiangcun divisions import-nbs PATH --edition 2020 --ref-date 2020-06-30 [--scope 51]
    xiangcun divisions reconcile --from 2019 --to 2020 [--scope 513201]
    xiangcun divisions stats --scope 513201 --from 2019-10-31 --to 2020-06-30 [--format json]
    xiangcun locate orlib FILE...          (no database needed)
    xiangcun worker                        (runs background jobs; several may run, on several machines)
    xiangcun serve [--workers N] [--bind ADDR]   (the production web server, gunicorn)
    xiangcun demo                          (loads the demo county)
    xiangcun <any manage.py command>       (migrate, runserver, createsuperuser …)
"""
import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "locate":
        from xiangcun.locate.cli import main as locate_main

        return locate_main(argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiangcun.settings")
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    from django.core.management import execute_from_command_line

    execute_from_command_line(["xiangcun", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
