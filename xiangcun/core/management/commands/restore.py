from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xiangcun.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "把备份文件恢复到一个空实例(先执行 migrate)"

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, path, **options):
        source = Path(path)
        if not source.exists():
            raise CommandError(f"备份文件不存在:{source}")
        try:
            manifest = restore_backup(source.read_bytes())
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        total = sum(manifest["counts"].values())
        self.stdout.write(f"已恢复 {total} 条记录和 {manifest['media_files']} 个文件(备份时间 {manifest['created']})")
        checked = manifest["audit"]
        if checked.ok:
            self.stdout.write(f"审计日志完整:共 {checked.count} 条,链头签名正确,已写入见证文件")
        else:
            self.stderr.write(f"注意:备份中的审计日志本身不完整:{checked.reason}(请用 xiangcun audit verify 查看)")
