import sys

from django.core.management.base import BaseCommand

from xiangcun.services import rollup


class Command(BaseCommand):
    help = "便民服务:rollup-check 核对代办件月度汇总与代办件是否一致;rollup-rebuild 从代办件重新汇总"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, title="子命令")
        sub.add_parser("rollup-check", help="核对月度汇总;不一致时列出并以非零状态退出")
        sub.add_parser("rollup-rebuild", help="从代办件重新计算月度汇总(批量写入代办件之后)")

    def handle(self, subcommand, **options):
        if subcommand == "rollup-rebuild":
            rollup.rebuild(log=self.stdout.write)
            return
        problems = rollup.check()
        if not problems:
            self.stdout.write("代办件月度汇总与代办件一致")
            return
        for p in problems[:50]:
            self.stderr.write(p)
        self.stderr.write(f"共 {len(problems)} 处不一致;可运行 xiangcun services rollup-rebuild 重新汇总")
        sys.exit(1)
