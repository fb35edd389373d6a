"""Demo task list for the demo county: the six points of the speech broken down into measures (our own wording),
monthly reporting rounds, reports in every state, milestones, and one overdue task under a 督办单.

Idempotent: tasks are upserted by number through the 任务分解表 importer; rounds by title; the reports,
notice and milestones are only made when the task has none.
"""
import datetime as dt

from django.db import transaction

from xiangcun.core import audit
from xiangcun.core.excel import RowValues

from . import services
from .imports import TaskImporter
from .models import Milestone, Notice, Report, ReportStatus, Round, Task

# (序号, 重点任务, 具体措施, 牵头单位, 配合单位, 责任领导, months from today to the deadline)
MEASURES = [
    ("1.1", "盘活用好闲置公有资产", "全面清查撤并乡镇和村的办公用房、学校、卫生院等公有资产,建立台账并逐项明确盘活方式",
     "财政局", "自然资源局、各乡镇", "分管副市长", 2),
    ("1.2", "盘活用好闲置公有资产", "对适宜的闲置用房改作便民服务、养老、村级活动场所等公益用房", "各乡镇", "民政局", "", 5),
    ("2.1", "优化机构编制和责任清单", "完成乡镇机构设置和人员编制调整,落实定岗定责定人", "委编办", "人社局", "市委常委、组织部部长", -1),
    ("2.2", "优化机构编制和责任清单", "编制乡镇权责清单和属地事项责任清单并公布", "司法局", "委编办、各乡镇", "", 3),
    ("3.1", "科学编制村庄规划、补齐基础设施", "完成“多规合一”实用性村庄规划编制", "自然资源局", "农业农村局、住建局", "分管副市长", 8),
    ("3.2", "科学编制村庄规划、补齐基础设施", "推进撤并村通组硬化路和饮水安全巩固提升工程", "交通", "水务局", "", 6),
    ("4.1", "发展特色产业、壮大集体经济", "每个村确定一项主导特色产业,培育家庭农场和农民专业合作社", "农业农村局", "乡村振兴局、各乡镇", "", 7),
    ("4.2", "发展特色产业、壮大集体经济", "推进合并村集体经济组织融合,消除集体经济空壳村", "农业农村局", "财政局", "", 10),
    ("5.1", "提升便民服务和村级代办水平", "规范乡镇便民服务中心和村便民服务站建设,公布服务事项清单", "政务服务管理局", "各乡镇", "", 1),
    ("5.2", "提升便民服务和村级代办水平", "在撤并乡镇驻地保留便民服务站,推行村级民事代办", "各乡镇", "政务服务管理局", "", 4),
    ("6.1", "优化教育医疗养老和关爱服务布局", "制定中小学校布局调整方案,稳妥处置撤并后闲置校舍", "教育局", "财政局", "分管副市长", 9),
    ("6.2", "优化教育医疗养老和关爱服务布局", "推进县乡村三级医疗卫生机构一体化,实现一村一标准化卫生室", "卫健局", "", "", 11),
    ("6.3", "优化教育医疗养老和关爱服务布局", "推行片区化、集约化养老服务,建立留守儿童和残疾人关爱台账", "民政局", "残联、教育局", "", 6),
]


def _month_start(day: dt.date, back: int) -> dt.date:
    y, m = day.year, day.month - back
    while m < 1:
        y, m = y - 1, m + 12
    while m > 12:
        y, m = y + 1, m - 12
    return dt.date(y, m, 1)


def _end_of_month(start: dt.date) -> dt.date:
    nxt = _month_start(start, -1)
    return nxt - dt.timedelta(days=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    first = _month_start(day, -months)
    return min(_end_of_month(first), first.replace(day=min(day.day, 28)))


def load_module(county, log=print):
    today = dt.date.today()
    importer = TaskImporter(county)
    with transaction.atomic(), audit.batch():
        for number, key, content, lead, support, leader, months in MEASURES:
            values = RowValues(number=number, key_title=key, content=content, lead_names=importer._names(lead),
                               supporting_names=importer._supporting_cell(support) if support else None, leader=leader,
                               deadline=_add_months(today, months), section=None,
                               start=_month_start(today, 4), evidence_required="工作方案、台账、现场照片等")
            values.provided.update(values)
            importer.save_row(importer.clean_row(values))
        rounds = []
        for back in (3, 2, 1, 0):
            start = _month_start(today, back)
            end = _end_of_month(start)
            title = f"{start.year}年{start.month}月"
            r, _ = Round.objects.get_or_create(county=county, title=title, defaults={
                "period_start": start, "period_end": end, "due": min(end, start.replace(day=25))})
            rounds.append(r)
        tasks = {t.number: t for t in Task.objects.filter(county=county)}
        overdue = tasks["2.1"]
        if not overdue.reports.exists():
            _report(overdue, rounds[0], 40, ReportStatus.ACCEPTED, "完成乡镇机构设置方案初稿")
            _report(overdue, rounds[1], 60, ReportStatus.RETURNED, "方案已征求意见", reason="未附定岗定责花名册,请补充后重报")
        if not overdue.notices.exists():
            services.issue_notice(None, overdue, overdue.lead, reply_due=today + dt.timedelta(days=7), issued=today,
                                  matter="该任务已超过完成时限,请说明原因并提出整改措施和完成时间")
        assets = tasks["1.1"]
        if not assets.milestones.exists():
            Milestone.objects.create(task=assets, title="完成资产清查台账", due=_month_start(today, 1),
                                     reached_on=_month_start(today, 1))
            Milestone.objects.create(task=assets, title="逐项明确盘活方式", due=_add_months(today, 1))
            _report(assets, rounds[1], 50, ReportStatus.ACCEPTED, "清查台账已建立,共登记撤并乡镇村公有资产")
            _report(assets, rounds[3], 70, ReportStatus.SUBMITTED, "已对一半资产明确盘活方式")
        service = tasks["5.1"]
        if not service.reports.exists():
            _report(service, rounds[2], 100, ReportStatus.ACCEPTED, "乡镇便民服务中心和村便民服务站已全部挂牌,事项清单已公布")
        for assignment in Task.objects.filter(county=county, parent=tasks["1.2"]).order_by("number")[:3]:
            if not assignment.reports.exists():
                _report(assignment, rounds[2], 30, ReportStatus.ACCEPTED, "已确定拟改作公益用房的闲置用房", late=True)
                _report(assignment, rounds[3], 45, ReportStatus.SUBMITTED, "改造方案已报乡镇党委会研究")
        services.refresh_stale(Task.objects.filter(county=county), today)
    log(f"督查督办:{Task.objects.filter(county=county).count()} 项任务,{len(rounds)} 个报送轮次,"
        f"{Report.objects.filter(task__county=county).count()} 份报送,{Notice.objects.filter(county=county).count()} 份督办单")


def _report(task, round_, percent, status, text, reason="", late=False):
    from django.utils import timezone

    when = timezone.make_aware(dt.datetime.combine(round_.due - dt.timedelta(days=2 if not late else -3), dt.time(10)))
    report = Report.objects.create(task=task, round=round_, body=task.lead, text=text, percent=percent, status=status,
                                   submitted_at=when, late=late, reason=reason,
                                   returns=1 if status == ReportStatus.RETURNED else 0,
                                   reviewed_at=when if status in (ReportStatus.ACCEPTED, ReportStatus.RETURNED) else None)
    services.refresh(task)
    return report
