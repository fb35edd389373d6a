import sys

from django.core.management.base import BaseCommand

from xiangcun.core import audit


class Command(BaseCommand):
    help = "审计日志:verify 校验哈希链、链头签名和见证文件(被修改、删除、插入或回滚的条目都会被发现)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, title="子命令")
        sub.add_parser("verify", help="校验审计日志的哈希链、链头签名和见证文件;不完整时以非零状态退出")
        sub.add_parser("witness", help="把当前链头写入见证文件(和 syslog),可由定时任务执行")

    def handle(self, subcommand, **options):
        if subcommand == "witness":
            head = audit.witness_head()
            seq = head.seq if head else 0
            self.stdout.write(f"已将链头(第 {seq} 条)写入见证文件 {audit.settings.AUDIT_WITNESS}" if seq else "审计日志为空,无需见证")
            return
        result = audit.verify()
        if result.ok:
            self.stdout.write(f"审计日志完整:共 {result.count} 条,链头签名正确,核对见证记录 {result.witnessed} 条")
            if result.note:
                self.stdout.write(f"注意:{result.note}")
            return
        where = f"条目 #{result.entry_id}" if result.entry_id is not None else "链尾"
        self.stderr.write(f"审计日志不完整:{where}:{result.reason}(此前 {result.count} 条完好)")
        sys.exit(1)
