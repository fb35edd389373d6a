"""`xiangcun care_age_out`: take the children who turned 18 off the 农村留守儿童 list (for cron, daily). The
statistics already stop counting them on their 18th birthday; this records it on each record (audited)."""
from django.core.management.base import BaseCommand

from xiangcun.care import services
from xiangcun.care.models import Person


class Command(BaseCommand):
    help = "把年满18周岁的农村留守儿童移出名单(只有这一类别的同时退出关爱名单)"

    def handle(self, *args, **options):
        n = services.remove_aged_out(Person.objects.all())
        self.stdout.write(f"移出年满18周岁的农村留守儿童 {n} 人")
