"""`xiangcun serve`: the production web server (gunicorn, several worker processes).

gunicorn rather than granian: pure Python (nothing to compile on 麒麟/统信 servers), packaged by
Debian, the WSGI server Django's deployment documentation describes first, and pre-fork processes
that isolate a crash or a memory leak in one worker (max-requests recycles them). Threads per
process (gthread) keep a slow report download from holding a whole process.
Static files are served by WhiteNoise inside the app; put nginx in front for TLS (deploy/).
"""
import multiprocessing
import os

from django.core.management.base import BaseCommand, CommandError


def default_workers() -> int:
    return int(os.environ.get("XIANGCUN_WEB_WORKERS") or min(2 * multiprocessing.cpu_count() + 1, 9))


class Command(BaseCommand):
    help = "以生产模式运行网站(gunicorn,多进程)"

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("XIANGCUN_BIND", "127.0.0.1:8000"),
                            help="监听地址,如 127.0.0.1:8000 或 0.0.0.0:8080(默认 %(default)s)")
        parser.add_argument("--workers", type=int, default=None, help="进程数(默认 2×CPU核数+1,最多9)")
        parser.add_argument("--threads", type=int, default=int(os.environ.get("XIANGCUN_WEB_THREADS", 4)),
                            help="每个进程的线程数(默认 %(default)s)")
        parser.add_argument("--timeout", type=int, default=120, help="单个请求的最长秒数(默认 %(default)s)")

    def handle(self, *args, bind, workers, threads, timeout, **options):
        from gunicorn.app.base import BaseApplication

        workers = default_workers() if workers is None else workers
        if workers < 1 or threads < 1:
            raise CommandError("进程数和线程数都必须至少为 1")
        config = {
            "bind": bind,
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "timeout": timeout,
            "graceful_timeout": 30,
            "keepalive": 5,
            "max_requests": 2000,
            "max_requests_jitter": 200,
            "accesslog": os.environ.get("XIANGCUN_ACCESS_LOG", "-") or None,  # "" turns it off
            "forwarded_allow_ips": os.environ.get("XIANGCUN_FORWARDED_ALLOW_IPS", "127.0.0.1"),
            "proc_name": "xiangcun-web",
        }

        class Application(BaseApplication):
            def load_config(self):
                for key, value in config.items():
                    self.cfg.set(key, value)

            def load(self):
                from xiangcun.wsgi import application

                return application

        self.stdout.write(f"xiangcun 正在运行:http://{bind}/ ({workers} 个进程 × {threads} 线程)")
        Application().run()
