"""The work-meeting report as a Word document: the reform paragraph, indicator tables, the collective
economy, township ranking and targets behind schedule, for a place and a year, on the divisions as
of a date (区划口径日期), with charts.

Charts are PNG images drawn with matplotlib (Agg, no GUI, no pyplot state) and embedded with
python-docx. Chinese labels need a CJK font: the first of CJK_FONTS that matplotlib finds; without
one the charts are still drawn (and a warning logged). python-docx and matplotlib are imported here
only, so a missing package breaks this download and nothing else.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import threading
import warnings

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from xiangcun.core.validators import parse_date
from xiangcun.divisions import stats
from xiangcun.divisions.models import Division, Edition, Level, valid_on
from xiangcun.divisions.scoping import subtree_q

from . import aggregate, dashboard, services
from .models import DataElement, Target, ValueType, number_text

log = logging.getLogger(__name__)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Micro Hei",
             "Microsoft YaHei", "SimHei", "PingFang SC")
BLUE, GREY, RED, AMBER, GREEN = "#1f4e79", "#9aa5b1", "#c8102e", "#d97706", "#2e7d32"
PALETTE = [BLUE, AMBER, GREEN, RED, "#6b4c9a", "#0f766e"]
CHART_WIDTH_CM = 15.5
_DRAWING = threading.Lock()  # rcParams are global: one chart at a time


class ReportError(Exception):
    """A bad request for the report, with a message for the user."""


def cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def registry_since(scope: Division) -> dt.date | None:
    """The first day the registry holds the place (None: since always)."""
    return scope.versions.exclude(valid_from=None).order_by("valid_from").values_list("valid_from", flat=True).first()


def as_of(text: str | None, scope: Division, today: dt.date | None = None) -> dt.date:
    """The 区划口径日期 of the request (default today): a real date, not in the future, on which the
    registry already holds the place."""
    today = today or dt.date.today()
    text = (text or "").strip()
    if not text:
        return today
    try:
        when = parse_date(text)
    except ValidationError as exc:
        raise ReportError("区划口径日期有误:" + ";".join(exc.messages)) from None
    if when > today:
        raise ReportError(f"区划口径日期 {cn_date(when)} 晚于今天,请选择今天或以前的日期")
    if not scope.versions.filter(valid_on(when)).exists():
        first = registry_since(scope)
        since = f"区划台账自 {cn_date(first)} 起才有{scope.name}的记录," if first and first > when else ""
        raise ReportError(f"{cn_date(when)} 时区划台账中没有{scope.name}:{since}请选择该单位存续期间的日期")
    return when


# --- charts ---------------------------------------------------------------------------------------

@functools.cache
def cjk_font() -> str | None:
    """The first installed font of CJK_FONTS (matplotlib's font list), or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name in CJK_FONTS if name in installed), None)
    if found is None:
        log.warning("会议材料图表:没有找到中文字体(%s),图中汉字可能无法显示;请安装 fonts-noto-cjk",
                    "、".join(CJK_FONTS))
    return found


def _style() -> dict:
    font = cjk_font()
    return {
        "font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"],
        "font.size": 8, "axes.titlesize": 9, "legend.fontsize": 7.5, "axes.unicode_minus": False,
        "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": "#555555",
        "axes.grid": True, "grid.color": "#e3e6ea", "grid.linewidth": 0.6, "axes.axisbelow": True,
        "legend.frameon": False, "savefig.dpi": 200, "figure.facecolor": "white",
    }


def render(draw, height_cm: float = 7.0) -> bytes:
    """PNG of a figure CHART_WIDTH_CM wide that `draw(fig)` fills (no pyplot: nothing to close)."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with _DRAWING, rc_context(_style()), warnings.catch_warnings():
        if cjk_font() is None:  # logged once in cjk_font; not one warning per missing glyph
            warnings.filterwarnings("ignore", message="Glyph .* missing from")
        fig = Figure(figsize=(CHART_WIDTH_CM / 2.54, height_cm / 2.54), layout="constrained")
        FigureCanvasAgg(fig)
        draw(fig)
        out = io.BytesIO()
        fig.savefig(out, format="png")
    return out.getvalue()


def _num(v) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.1f}"


REFORM_GROUPS = [("乡级单位", ["township_level", "town", "township", "subdistrict", "township_other"]),
                 ("村级单位", ["village", "community", "village_other"]), ("村民小组", ["villager_group"])]
SHORT = {"township_level": "乡级合计", "town": "镇", "township": "乡", "subdistrict": "街道", "township_other": "其他",
         "village": "建制村", "community": "社区", "village_other": "其他", "villager_group": "村民小组"}


def chart_reform(reform: dict) -> bytes | None:
    """Grouped bars: units before and after the reform, one panel per level (their scales differ)."""
    by_key = {r["category"]: r for r in reform["rows"]}
    panels = [(title, [by_key[k] for k in keys if by_key[k]["before"] or by_key[k]["after"]]) for title, keys in REFORM_GROUPS]
    panels = [p for p in panels if p[1]]
    if not panels:
        return None

    from matplotlib.ticker import MaxNLocator

    def draw(fig):
        axes = fig.subplots(1, len(panels), width_ratios=[len(rows) + 0.6 for _, rows in panels], squeeze=False)[0]
        for ax, (title, rows) in zip(axes, panels):
            xs = range(len(rows))
            for offset, key, color, label in ((-0.2, "before", GREY, f"改革前({reform['from']})"),
                                              (0.2, "after", BLUE, f"改革后({reform['to']})")):
                bars = ax.bar([x + offset for x in xs], [r[key] for r in rows], 0.4, color=color, label=label)
                ax.bar_label(bars, padding=1, fontsize=7)
            ax.set_xticks(list(xs), [SHORT[r["category"]] for r in rows])
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_title(title)
            ax.grid(axis="x", visible=False)
            ax.margins(y=0.15)
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2)

    return render(draw, 6.5)


def chart_trends(trend: dict, when: dt.date) -> bytes | None:
    """Lines: the dashboard's trend rates across the years, on the geography of `when`."""
    series = [s for s in trend["series"] if any(v is not None for v in s["data"])]
    if not series:
        return None

    def draw(fig):
        ax = fig.subplots()
        xs = range(len(trend["labels"]))
        for s, color in zip(series, PALETTE):
            points = [(x, v) for x, v in zip(xs, s["data"]) if v is not None]
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", markersize=3.5, linewidth=1.6,
                    color=color, label=s["name"])
        ax.set_xticks(list(xs), trend["labels"])
        ax.set_ylim(0, max([105.0] + [v * 1.05 for s in series for v in s["data"] if v is not None]))
        ax.yaxis.set_major_formatter("{x:.0f}%")
        ax.set_title(f"重点指标趋势(按{cn_date(when)}区划口径)")
        fig.legend(loc="outside lower center", ncols=min(4, len(series)))

    return render(draw, 7.0)


def unit_rates(scope: Division, year: str, geo) -> tuple[list[str], list[tuple[str, list]]]:
    """([unit names], [(rate element name, [value per unit])]): the key percentage indicators where
    higher is better (the bars read alike) of each township (or each village of a township) for the year."""
    level = Level.TOWNSHIP if scope.level < Level.TOWNSHIP else Level.VILLAGE
    units = sorted(geo.under(scope.pk, level), key=lambda u: geo.versions[u].path)
    series = []
    for e in DataElement.objects.active().filter(is_key=True, value_type=ValueType.PERCENT, higher_is_better=True).order_by("category", "order"):
        values = [aggregate.value_at(e, year, geo, u) for u in units]
        values = [v if isinstance(v, (int, float)) else None for v in values]
        if any(v is not None for v in values):
            series.append((e.short_name or e.name, values))
    return [geo.versions[u].name for u in units], series[:5]


def chart_units(names: list[str], series: list, title: str) -> bytes | None:
    """Horizontal grouped bars: the rates per unit, the first unit on top."""
    if not names or not series:
        return None
    n, k = len(names), len(series)
    height = min(22.0, 2.8 + n * (0.22 + 0.13 * k))

    def draw(fig):
        ax = fig.subplots()
        band = 0.8 / k
        for i, ((label, values), color) in enumerate(zip(series, PALETTE)):
            ys = [y - 0.4 + band * (i + 0.5) for y in range(n)]
            ax.barh(ys, [v or 0 for v in values], band, color=color, label=label)
        ax.set_yticks(range(n), names)
        ax.invert_yaxis()
        ax.set_xlim(0, max(100.0, max((v or 0) for _, vs in series for v in vs) * 1.05))
        ax.xaxis.set_major_formatter("{x:.0f}%")
        ax.grid(axis="y", visible=False)
        ax.set_title(title)
        fig.legend(loc="outside lower center", ncols=k if k <= 3 else 3)

    return render(draw, height)


def chart_collective(summary: list[dict], threshold) -> bytes | None:
    """Left: share of 空壳村 and 薄弱村 among reporting villages (lines); right: operating income (bars)."""
    rows = [r for r in summary if r["total"]]
    if not rows:
        return None

    def draw(fig):
        left, right = fig.subplots(1, 2)
        labels = [f"{r['year']}年" for r in rows]
        xs = range(len(rows))
        for key, name, color in (("hollow", "空壳村", RED), ("weak", f"薄弱村(<{number_text(threshold / 10000)}万元)", AMBER)):
            left.plot(list(xs), [r[key] / r["total"] * 100 for r in rows], marker="o", markersize=3.5, linewidth=1.6,
                      color=color, label=name)
        left.set_xticks(list(xs), labels)
        left.set_ylim(0, 100)
        left.yaxis.set_major_formatter("{x:.0f}%")
        left.set_title("空壳村、薄弱村占填报村的比例")
        left.legend(loc="upper right")
        bars = right.bar(list(xs), [r["income"] for r in rows], 0.6, color=GREEN)
        right.bar_label(bars, labels=[_num(r["income"]) for r in rows], padding=1, fontsize=7)
        right.set_xticks(list(xs), labels)
        right.margins(y=0.15)
        right.grid(axis="x", visible=False)
        right.set_title("村集体经营性收入合计(万元)")

    return render(draw, 6.5)


def chart_targets(ranking: list[dict], progresses: list) -> bytes | None:
    """Horizontal bars: each township's mean progress on its targets (or, without townships, the
    progress of each target against the time elapsed)."""
    ranking = [r for r in ranking if r["score"] is not None]  # the unranked are listed in the table, with why
    if ranking:
        names = [r["township"].name for r in ranking]
        values = [r["score"] for r in ranking]
        notes = [f"{r['score']:.0f}%  完成{r['achieved']}/{r['targets']}" + (f",滞后{r['flagged']}" if r["flagged"] else "")
                 for r in ranking]
        colors = [RED if r["flagged"] else (GREEN if r["achieved"] == r["targets"] else BLUE) for r in ranking]
        expected, title = None, "各乡镇目标考核平均完成进度"
    else:
        shown = sorted(progresses, key=lambda p: (not p.flagged, p.target.due_date))[:20]
        if not shown:
            return None
        names = [f"{p.target.unit.name}·{p.target.element.short_name or p.target.element.name}" for p in shown]
        values = [min(150.0, max(0.0, p.pct or 0.0)) for p in shown]
        notes = ["无数据" if p.pct is None else f"{p.pct:.0f}%" for p in shown]
        colors = [RED if p.flagged else (GREEN if p.status == "achieved" else BLUE) for p in shown]
        expected, title = [p.expected for p in shown], "考核目标完成进度(竖线为时间进度)"
    n = len(names)

    def draw(fig):
        ax = fig.subplots()
        bars = ax.barh(range(n), values, 0.6, color=colors)
        ax.bar_label(bars, labels=notes, padding=2, fontsize=7)
        if expected:
            ax.scatter(expected, range(n), marker="|", s=120, color="#333333", zorder=3)
        ax.axvline(100, color="#555555", linewidth=0.8, linestyle="--")
        ax.set_yticks(range(n), names)
        ax.invert_yaxis()
        ax.set_xlim(0, max(values + [100.0]) * 1.3)
        ax.xaxis.set_major_formatter("{x:.0f}%")
        ax.grid(axis="y", visible=False)
        ax.set_title(title)

    return render(draw, min(20.0, 2.2 + n * 0.55))


# --- the document ---------------------------------------------------------------------------------

def _table(doc, headers, rows):
    from docx.shared import Pt

    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = "" if text is None else str(text)
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(9)
    return table


class _Figures:
    """Adds charts with numbered captions (图1、图2 …)."""

    def __init__(self, doc):
        self.doc, self.count = doc, 0

    def add(self, png: bytes | None, caption: str):
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm

        if png is None:
            return
        self.count += 1
        self.doc.add_picture(io.BytesIO(png), width=Cm(CHART_WIDTH_CM))
        self.doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.doc.add_paragraph(f"图{self.count}  {caption}").alignment = WD_ALIGN_PARAGRAPH.CENTER


def source_line(sources: dict) -> str:
    """“数据来源:…。” once when both dates come from the same source, else each with its date's side."""
    before, after = sources.get("from") or "", sources.get("to") or ""
    if before == after or not before or not after:
        return f"数据来源:{before or after}。"
    return f"数据来源:改革前 {before};改革后 {after}。"


def reform_on(scope: Division, when: dt.date):
    """divisions.stats for the place from its baseline (its first day in the registry, else the first
    edition) to the as-of date; None when the date is not after the baseline or there is no data."""
    if not scope.code:
        return None
    first = Edition.objects.order_by("ref_date").values_list("ref_date", flat=True).first()
    baseline = scope.valid_from or first
    if baseline is None or when <= baseline:
        return None
    try:
        return stats.reform_stats(scope.code, baseline, when)
    except stats.StatsError:
        return None


def build_document(scope, year: str, user, when: dt.date | None = None):
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    today = dt.date.today()
    when = when or today
    geo = aggregate.Geography.on(scope, when)
    name = geo.versions[scope.pk].name if scope.pk in geo.versions else scope.name
    doc = Document()
    for section in doc.sections:  # A4 with the margins of a government document (GB/T 9704)
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(11)
    figures = _Figures(doc)
    title = doc.add_heading(f"{name}乡村两项改革“后半篇”工作推进情况", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    done = dashboard.completeness(scope, year, geo) if scope.pk in geo.versions else None
    reported = f"已报 {done['reported']}/{done['expected']} 个{done['word']}," if done else ""
    doc.add_paragraph(f"({year}年数据,{reported}按 {cn_date(when)} 区划口径,{cn_date(today)}生成)").alignment = WD_ALIGN_PARAGRAPH.CENTER
    basis = (f"本材料按 {cn_date(when)} 的行政区划汇总:该日已撤并单位的数据计入承接单位,前后年度可比。")
    later = list(Division.objects.subtree(scope).filter(valid_from__gt=when, level__lte=Level.VILLAGE)
                 .order_by("valid_from", "path").values_list("name", flat=True)[:11])
    if later:
        names = "、".join(later[:10]) + ("等" if len(later) > 10 else "")
        basis += f"{cn_date(when)} 以后新设立的{names},其数据无法折回该日的区划,未计入。"
    doc.add_paragraph(basis)

    doc.add_heading("一、改革基本情况", level=1)
    reform = reform_on(scope, when)
    if reform:
        doc.add_paragraph(reform["text"])
        _table(doc, ["类别", f"改革前({reform['from']})", f"改革后({reform['to']})", "增减", "增减幅度"],
               [(r["label"], r["before"], r["after"], r["change"], "" if r["pct"] is None else f"{r['pct']:.2f}%")
                for r in reform["rows"] if r["before"] or r["after"]])
        doc.add_paragraph(source_line(reform["sources"]))
        figures.add(chart_reform(reform), "改革前后乡村两级单位数量")
    else:
        doc.add_paragraph(f"区划台账中没有该范围改革前至 {cn_date(when)} 的对比数据。")

    doc.add_heading("二、重点指标", level=1)
    kpis = dashboard.kpis(scope, year, geo)
    ys = dashboard.year_range(year)
    _table(doc, ["指标", *[f"{y}年" for y in ys]],
           [(k["element"].label, *[dashboard.fmt(k["element"], v) for v in k["series"]]) for k in kpis])
    figures.add(chart_trends(dashboard.trends(scope, year, geo), when), "重点指标趋势")
    elements, rows = dashboard.township_table(scope, year, geo)
    if rows:
        word = "乡镇" if scope.level < Level.TOWNSHIP else "村"
        doc.add_paragraph()
        doc.add_paragraph(f"{year}年各{word}重点指标:")
        _table(doc, ["单位", *[e.short_name or e.name for e in elements]], [(r["unit"].name, *r["values"]) for r in rows])
        names, series = unit_rates(scope, year, geo)
        figures.add(chart_units(names, series, f"{year}年各{word}重点指标(百分比)"), f"{year}年各{word}重点指标")

    doc.add_heading("三、村级集体经济", level=1)
    summary = dashboard.collective_summary(user, scope, ys)
    last = summary[-1] if summary else None
    threshold = services.threshold_on(int(year[:4]))
    if last and last["total"]:
        doc.add_paragraph(
            f"{year}年填报集体经济的村 {last['total']} 个,其中空壳村(无经营性收入){last['hollow']} 个、"
            f"薄弱村(经营性收入低于 {threshold:,.0f} 元){last['weak']} 个、一般村 {last['general']} 个;"
            f"经营性收入合计 {last['income']:,.2f} 万元。")
    _table(doc, ["年度", "填报村数", "空壳村", "薄弱村", "一般村", "经营性收入(万元)"],
           [(r["year"], r["total"], r["hollow"], r["weak"], r["general"], f"{r['income']:,.2f}") for r in summary])
    figures.add(chart_collective(summary, threshold), "村级集体经济:空壳村、薄弱村占比与经营性收入")
    hollow = [r for r in dashboard.build_hollow(user, scope, int(year[:4]))]
    if hollow:
        doc.add_paragraph("空壳村名单:" + "、".join(f"{r.village.parent.name if r.village.parent else ''}{r.village.name}" for r in hollow) + "。")

    doc.add_heading("四、目标考核", level=1)
    progresses = services.assess(Target.objects.visible_to(user).filter(subtree_q(scope, "unit__path")), geo)
    ranking = services.township_ranking(progresses)
    if ranking:
        _table(doc, ["名次", "乡镇", "目标数", "已完成", "滞后/逾期", "平均完成进度"],
               [(r["rank"] or "—", r["township"].name, r["targets"], r["achieved"], r["flagged"],
                 r["note"] or f"{r['score']:.1f}%") for r in ranking])
    figures.add(chart_targets(ranking, progresses), "目标考核完成进度")
    flagged = [p for p in progresses if p.flagged]
    doc.add_paragraph()
    doc.add_paragraph(f"共 {len(progresses)} 项考核目标,滞后或逾期 {len(flagged)} 项" + (":" if flagged else "。"))
    if flagged:
        _table(doc, ["单位", "指标", "目标", "当前值", "完成进度", "时间进度", "完成时限", "责任单位", "状态"],
               [(p.target.unit.name, p.target.element.name, p.target.requirement,
                 number_text(None if p.actual is None else round(p.actual, 1), p.target.element.unit, 1), "—" if p.pct is None else f"{p.pct:.1f}%",
                 f"{p.expected:.0f}%", p.target.due_date, p.target.owner, p.status_label) for p in flagged])
    return doc


def meeting_report(scope, year: str, user, when: dt.date | None = None) -> HttpResponse:
    when = when or dt.date.today()
    doc = build_document(scope, year, user, when)
    out = io.BytesIO()
    doc.save(out)
    basis = "" if when == dt.date.today() else f"({cn_date(when)}区划口径)"
    filename = f"{scope.name}{year}年两项改革工作推进情况{basis}.docx"
    return HttpResponse(out.getvalue(), content_type=DOCX_TYPE,
                        headers={"Content-Disposition": content_disposition_header(True, filename)})
