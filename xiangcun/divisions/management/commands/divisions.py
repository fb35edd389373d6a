"""`xiangcun divisions …`: NBS editions, baseline, reconciliation and reform statistics."""
import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xiangcun.divisions import nbs, services, stats
from xiangcun.divisions.exports import stats_workbook
from xiangcun.divisions.models import Edition


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期“{text}”应写作 YYYY-MM-DD,例如 2020-06-30") from None


def edition(year) -> Edition:
    try:
        return Edition.objects.get(year=int(year))
    except (Edition.DoesNotExist, ValueError):
        raise CommandError(f"没有 {year} 年版;请先用 import-nbs 导入") from None


class Command(BaseCommand):
    help = "区划:导入统计用区划代码、建立基线、版本比对、改革统计"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("import-nbs", help="导入一个版次(gzip 或 CSV)")
        p.add_argument("path")
        p.add_argument("--edition", required=True, type=int)
        p.add_argument("--ref-date", required=True)
        p.add_argument("--scope", default="")
        p = sub.add_parser("adopt", help="以某版次为基线建立区划台账")
        p.add_argument("--edition", required=True, type=int)
        p.add_argument("--scope", required=True)
        p = sub.add_parser("reconcile", help="比对两个版次,生成变更建议")
        p.add_argument("--from", dest="from_", required=True)
        p.add_argument("--to", required=True)
        p.add_argument("--scope", default="")
        p.add_argument("--confirm-all", action="store_true", help="确认全部建议,写入区划台账")
        p.add_argument("--format", choices=["text", "json", "xlsx"], default="text",
                       help="列出变更建议:text 逐条文字,json,xlsx(写入 --output)")
        p.add_argument("--output", help="xlsx 输出文件(默认 proposals-<起始>-<目标>.xlsx)")
        p = sub.add_parser("import-geojson", help="导入单位边界(GeoJSON,按 properties.code 或 name 匹配现有单位)")
        p.add_argument("path")
        p.add_argument("--match", choices=["code", "name"], default="code")
        p.add_argument("--scope", default="", help="只匹配该代码前缀下的单位")
        p = sub.add_parser("stats", help="改革前后区划统计")
        p.add_argument("--scope", required=True)
        p.add_argument("--from", dest="from_", required=True)
        p.add_argument("--to", required=True)
        p.add_argument("--format", choices=["text", "json", "xlsx"], default="text")
        p.add_argument("--output", help="xlsx 输出文件(默认 stats-<scope>.xlsx)")

    def handle(self, *args, action, **o):
        try:
            return getattr(self, "do_" + action.replace("-", "_"))(**o)
        except (services.DivisionError, nbs.EditionFileError, stats.StatsError, ValueError) as exc:
            raise CommandError(str(exc)) from None

    def do_import_nbs(self, path, edition, ref_date, scope, **_):
        if not Path(path).exists():
            raise CommandError(f"文件不存在:{path}")
        result = services.import_edition(path, edition, parse_date(ref_date), scope=scope)
        self.stdout.write(result.message)

    def do_adopt(self, edition, scope, **_):
        ed = globals()["edition"](edition)
        created = services.adopt_baseline(ed, scope)
        self.stdout.write(f"以 {ed.year} 年版建立基线:新建 {created} 个单位")

    def do_reconcile(self, from_, to, scope, confirm_all, format="text", output=None, **_):
        from xiangcun.divisions.exports import proposal_rows, proposals_workbook
        from xiangcun.divisions.models import EventType

        run = services.run_reconciliation(edition(from_), edition(to), scope)
        labels = dict(EventType.choices) | {"unchanged": "未变"}
        if format == "json":
            self.stdout.write(json.dumps({
                "run": {"from": run.from_edition.year, "to": run.to_edition.year, "scope": run.scope,
                        "counts": run.counts},
                "proposals": [{"type": p.type, "level": p.level, "confidence": p.confidence,
                               "predecessors": p.predecessors, "successors": p.successors, "evidence": p.evidence,
                               "status": p.status} for p in run.proposals.all()],
            }, ensure_ascii=False))
        elif format == "xlsx":
            out = output or f"proposals-{run.from_edition.year}-{run.to_edition.year}.xlsx"
            Path(out).write_bytes(proposals_workbook(run))
            self.stdout.write(f"已写入 {out}({run.proposals.count()} 条变更建议)")
        else:
            self.stdout.write(f"比对 {run}:用时 {run.seconds} 秒")
            self.stdout.write("  " + ",".join(f"{labels.get(k, k)} {n}" for k, n in sorted(run.counts.items())))
            for row in proposal_rows(run):
                no, kind, level, before, after, confidence, evidence, status = row
                self.stdout.write(f"{no:>4}. [{kind}·{level}] {before} → {after}(置信度 {confidence},{status})")
                self.stdout.write(f"      依据:{evidence}")
            if not run.proposals.exists():
                self.stdout.write("  两个版次在该范围内没有差异")
        if confirm_all:
            done, errors = services.confirm_all(run)
            (self.stderr if format == "json" else self.stdout).write(f"已确认 {done} 条")
            for e in errors:
                self.stderr.write(e)
            if errors:
                raise CommandError(f"{len(errors)} 条建议未能确认")

    def do_import_geojson(self, path, match, scope, **_):
        from xiangcun.divisions import geo
        from xiangcun.divisions.models import Division

        if not Path(path).exists():
            raise CommandError(f"文件不存在:{path}")
        units = Division.objects.filter(code__startswith=nbs.normalise_prefix(scope)) if scope else Division.objects.all()
        try:
            result = geo.import_geojson(Path(path).read_bytes(), units, match=match)
        except geo.GeoError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"已更新 {result['updated']} 个单位的边界")

    def do_stats(self, scope, from_, to, format, output=None, **_):
        data = stats.reform_stats(scope, parse_date(from_), parse_date(to))
        if format == "json":
            self.stdout.write(json.dumps({k: data[k] for k in ("scope", "from", "to", "rows", "text")}, ensure_ascii=False))
        elif format == "xlsx":
            out = output or f"stats-{data['scope']['code']}.xlsx"
            Path(out).write_bytes(stats_workbook(data))
            self.stdout.write(f"已写入 {out}")
        else:
            self.stdout.write(f"{data['scope']['name']} {data['from']} → {data['to']}")
            self.stdout.write(f"{'类别':<12}{'改革前':>8}{'改革后':>8}{'增减':>8}{'增减幅':>10}")
            for r in data["rows"]:
                pct = "—" if r["pct"] is None else f"{r['pct']:.2f}%"
                self.stdout.write(f"{r['label']:<12}{r['before']:>8}{r['after']:>8}{r['change']:>8}{pct:>10}")
            self.stdout.write(data["text"])
