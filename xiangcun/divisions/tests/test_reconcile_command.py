"""`xiangcun divisions reconcile` lists the proposals themselves, as text, JSON or Excel."""
import json

from django.core.management import call_command
from openpyxl import load_workbook


def test_the_command_lists_each_proposal_with_units_codes_and_confidence(editions, capsys):
    call_command("divisions", "reconcile", "--from", "2019", "--to", "2020", "--scope", "513201")
    out = capsys.readouterr().out
    assert "合并" in out and "隶属变更" in out
    # the township merger, with codes on both sides, its confidence and its evidence
    line = next(li for li in out.splitlines() if "卓克基镇(513201101000)" in li and "合并" in li)
    assert "→ 马尔康镇(513201100000)" in line and "置信度" in line and "待确认" in line
    assert "依据:" in out


def test_json_and_xlsx_carry_every_proposal(editions, capsys, tmp_path):
    call_command("divisions", "reconcile", "--from", "2019", "--to", "2020", "--scope", "513201", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["run"]["from"] == 2019 and data["run"]["to"] == 2020
    merged = {x["name"] for p in data["proposals"] if p["type"] == "merge" for x in p["predecessors"]}
    assert {"卓克基镇", "七里村", "呷博村"} <= merged
    assert all(0 < p["confidence"] <= 1 and p["evidence"] for p in data["proposals"])

    target = tmp_path / "p.xlsx"
    call_command("divisions", "reconcile", "--from", "2019", "--to", "2020", "--scope", "513201", "--format", "xlsx",
                 "--output", str(target))
    ws = load_workbook(target).active
    assert [c.value for c in ws[2]] == ["序号", "变更类型", "层级", "原单位(代码)", "新单位(代码)", "置信度", "依据", "状态"]
    assert ws.max_row - 2 == len(data["proposals"])
