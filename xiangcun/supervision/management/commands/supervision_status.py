"""Recompute every open task's status for today (a milestone or a deadline passes with time): run daily from cron;
the list pages also refresh what they show when it was computed before today."""
from django.core.management.base import BaseCommand

from xiangcun.supervision import services
from xiangcun.supervision.models import Task


class Command(BaseCommand):
    help = "重新计算督办任务的状态(红黄绿),每天运行一次"

    def handle(self, *args, **options):
        n = services.refresh_stale(Task.objects.all())
        self.stdout.write(f"已重新计算 {n} 项任务的状态")
