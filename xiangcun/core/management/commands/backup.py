from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xiangcun.core.backup import BackupError, create_backup, read_manifest


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
        manifest = read_manifest(data)
        if manifest.get("witness_error"):
            self.stderr.write(f"注意:{manifest['witness_error']};备份中未带见证记录,请用 xiangcun audit verify 检查")
        self.stdout.write(f"已备份到 {target}({len(data) / 1e6:.1f} MB)。恢复时需要相同的 XIANGCUN_PII_KEY 和 XIANGCUN_AUDIT_KEY(数据目录中的 pii_key、audit_key)。")
