from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xiangcun.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "把数据库和上传文件备份为一个加密文件"

    def add_arguments(self, parser):
        parser.add_argument("path", help="备份文件路径,例如 xiangcun-20261126.backup")

    def handle(self, path, **options):
        target = Path(path)
        if target.exists():
            raise CommandError(f"文件已存在,不会覆盖:{target}")
        try:
            data = create_backup()
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        target.write_bytes(data)
        self.stdout.write(f"已备份到 {target}({len(data) / 1e6:.1f} MB)。恢复时需要相同的 XIANGCUN_PII_KEY。")
