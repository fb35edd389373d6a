import sys

from django.core.management.base import BaseCommand

from xiangcun.core import audit


class Command(BaseCommand):
    help = "审计日志:verify 校验哈希链是否完整(被修改、删除或插入的条目都会被发现)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, title="子命令")
        sub.add_parser("verify", help="校验审计日志的哈希链;不完整时以非零状态退出")

    def handle(self, subcommand, **options):
        result = audit.verify()
        if result.ok:
            self.stdout.write(f"审计日志完整:共 {result.count} 条")
            return
        where = f"条目 #{result.entry_id}" if result.entry_id is not None else "链尾"
        self.stderr.write(f"审计日志不完整:{where}:{result.reason}(此前 {result.count} 条完好)")
        sys.exit(1)
