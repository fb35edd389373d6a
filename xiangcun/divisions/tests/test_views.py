"""The pages, as the cast of users sees them: the county office, a township, a 民政 editor, an outsider."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import REF
from xiangcun.accounts.models import Role
from xiangcun.divisions import services
from xiangcun.divisions.models import Division, Proposal


@pytest.fixture
def cast(maerkang, unit, make_user):
    return {
        "office": make_user("office", Role.REFORM_OFFICE, maerkang),
        "songgang": make_user("songgang", Role.TOWNSHIP, unit("松岗镇")),
        "maerkang_town": make_user("mkz", Role.TOWNSHIP, unit("马尔康镇")),
        "nobody": make_user("nobody", Role.ANALYST, None),
    }


def login(client, user):
    client.force_login(user)
    return client


def test_login_is_required(client, db):
    response = client.get(reverse("divisions:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_login_page_signs_a_user_in(client, cast):
    page = client.get(reverse("accounts:login"))
    assert "登录" in page.content.decode()
    response = client.post(reverse("accounts:login"), {"username": "office", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    home = client.get(reverse("workbench:home"))
    assert "马尔康市" in home.content.decode() and "全市乡镇从14个减为13个" in home.content.decode()


def test_the_county_office_lists_and_searches_its_units(client, cast):
    login(client, cast["office"])
    page = client.get(reverse("divisions:list"), {"q": "纳足"}).content.decode()
    assert "纳足村" in page and "513201100210" in page and "西索村" not in page
    abolished = client.get(reverse("divisions:list"), {"status": "abolished", "level": 4}).content.decode()
    assert "卓克基镇" in abolished and "松岗镇" not in abolished


def test_a_township_user_sees_only_its_township(client, cast, unit):
    login(client, cast["songgang"])
    page = client.get(reverse("divisions:list"), {"status": "all"}).content.decode()
    assert "松岗村" in page and "党坝村" not in page and "马尔康镇" not in page
    assert client.get(reverse("divisions:detail", args=[unit("党坝乡").pk])).status_code == 404
    assert client.get(reverse("divisions:lineage", args=[unit("党坝乡").pk])).status_code == 404
    assert client.get(reverse("divisions:detail", args=[unit("松岗村").pk])).status_code == 200
    export = load_workbook(io.BytesIO(client.get(reverse("divisions:export"), {"status": "all"}).content)).active
    names = {row[1] for row in export.iter_rows(min_row=2, values_only=True)}
    assert "松岗镇" in names and "党坝乡" not in names and "党坝村" not in names


def test_jurisdiction_follows_the_merger(client, cast, unit):
    """马尔康镇 absorbed 卓克基镇: its staff see the abolished town; 松岗镇 staff do not."""
    login(client, cast["maerkang_town"])
    assert client.get(reverse("divisions:detail", args=[unit("卓克基镇").pk])).status_code == 200
    login(client, cast["songgang"])
    assert client.get(reverse("divisions:detail", args=[unit("卓克基镇").pk])).status_code == 404


def test_a_user_without_jurisdiction_sees_nothing(client, cast, unit):
    login(client, cast["nobody"])
    assert client.get(reverse("divisions:detail", args=[unit("松岗镇").pk])).status_code == 404
    assert "松岗镇" not in client.get(reverse("divisions:list")).content.decode()


def test_the_detail_page_shows_timeline_and_successor(client, cast, unit):
    login(client, cast["office"])
    page = client.get(reverse("divisions:detail", args=[unit("卓克基镇").pk])).content.decode()
    assert "已于 2020-06-30 撤销" in page and "马尔康镇" in page and "现由" in page
    lineage = client.get(reverse("divisions:lineage", args=[unit("卓克基镇").pk])).json()
    assert {n["name"] for n in lineage["nodes"]} >= {"卓克基镇", "马尔康镇"}
    assert any("合并" in link["label"] for link in lineage["links"])


def test_stats_page_and_its_excel(client, cast):
    login(client, cast["office"])
    q = {"scope": "513201", "date_from": "2019-10-31", "date_to": "2020-06-30"}
    page = client.get(reverse("divisions:stats"), q).content.decode()
    assert "全市乡镇从14个减为13个,减少1个,减幅7.14%" in page
    xlsx = client.get(reverse("divisions:stats"), {**q, "format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    login(client, cast["songgang"])
    refused = client.get(reverse("divisions:stats"), q).content.decode()
    assert "不在您的管辖范围内" in refused and "减为13个" not in refused


def test_only_editors_change_the_registry(client, cast, unit):
    login(client, cast["songgang"])
    assert client.get(reverse("divisions:event_new")).status_code == 403
    assert client.post(reverse("divisions:group_add", args=[unit("松岗村").pk]), {"name": "九组"}).status_code == 403


def test_the_office_records_a_merger_by_hand(client, cast, unit):
    login(client, cast["office"])
    a, b = unit("松岗村"), unit("直波村")
    response = client.post(reverse("divisions:event_new"), {
        "type": "merge", "effective_date": "2022-03-01", "document": "马府发〔2022〕3号",
        "predecessors": [b.pk], "successor": a.pk})
    assert response.status_code == 302
    b.refresh_from_db()
    assert str(b.valid_to) == "2022-03-01"
    events = client.get(reverse("divisions:events"), {"q": "马府发"}).content.decode()
    assert "直波村" in events and "马府发〔2022〕3号" in events
    # a bad request is explained, and changes nothing
    page = client.post(reverse("divisions:event_new"), {"type": "merge", "effective_date": "2022-03-01",
                                                         "predecessors": [a.pk]}).content.decode()
    assert "合并需要选择被撤并的单位和并入单位" in page


def _record(client, **data):
    return client.post(reverse("divisions:event_new"), {"effective_date": "2022-03-01", "document": "马府发〔2022〕9号",
                                                        **data})


def test_the_office_records_splits_new_units_and_renames_by_hand(client, cast, unit):
    login(client, cast["office"])
    songgang, village = unit("松岗镇"), unit("直波村")
    # 拆分 into two new villages under the same township
    assert _record(client, type="split", predecessors=[village.pk], new_name="直波一村、直波二村",
                   new_kind="village").status_code == 302
    village.refresh_from_db()
    assert str(village.valid_to) == "2022-03-01"
    new = Division.objects.filter(name__in=["直波一村", "直波二村"], parent=songgang, valid_to__isnull=True)
    assert new.count() == 2 and set(services.successors_on(village, village.valid_to)) == set(new)
    # 合并设立: two villages merge into a new one
    a, b = new
    assert _record(client, type="merge", predecessors=[a.pk, b.pk], successor=songgang.pk, new_name="直波村",
                   new_kind="village", new_code="513201100299").status_code == 302
    merged = Division.objects.get(name="直波村", valid_to__isnull=True)
    assert merged.parent == songgang and merged.code == "513201100299"
    # 撤镇设街道 changes the kind; 代码变更 the code
    assert _record(client, type="to_subdistrict", predecessors=[songgang.pk], new_name="松岗街道").status_code == 302
    songgang.refresh_from_db()
    assert (songgang.name, songgang.kind) == ("松岗街道", "subdistrict")
    assert _record(client, type="recode", predecessors=[merged.pk], new_code="513201100298").status_code == 302
    merged.refresh_from_db()
    assert merged.code == "513201100298"
    events = client.get(reverse("divisions:events"), {"q": "马府发〔2022〕9号"}).content.decode()
    assert all(word in events for word in ("拆分", "合并", "撤镇(乡)设街道", "代码变更"))


def test_a_split_by_hand_needs_two_successors_and_says_so(client, cast, unit):
    login(client, cast["office"])
    village = unit("直波村")
    page = _record(client, type="split", predecessors=[village.pk], new_name="直波一村", new_kind="village")
    assert "拆分至少需要两个承接单位" in page.content.decode()
    page = _record(client, type="recode", predecessors=[village.pk], new_code="5132")
    assert "代码应为 12 位数字" in page.content.decode()
    village.refresh_from_db()
    assert village.valid_to is None and village.code != "5132"


def test_reviewing_proposals_confirms_them_in_order(client, editions, make_user, django_capture_on_commit_callbacks):
    services.adopt_baseline(editions[2019], "513201")
    county = services.lookup("513201000000", REF[2019])
    office = make_user("office2", Role.REFORM_OFFICE, county)
    login(client, office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("divisions:runs"), {"from_edition": editions[2019].pk,
                                                           "to_edition": editions[2020].pk, "scope": "513201"})
    job_page = client.get(response["Location"]).content.decode()
    assert "已完成" in job_page and "100%" in job_page and "比对完成" in job_page
    run = Proposal.objects.first().run
    page = client.get(reverse("divisions:run", args=[run.pk]), {"type": "merge"}).content.decode()
    assert "卓克基镇" in page and "党坝村" in page
    ids = list(run.proposals.values_list("pk", flat=True))
    client.post(reverse("divisions:run", args=[run.pk]), {"action": "confirm", "ids": ids})
    assert not run.proposals.filter(status="pending").exists()
    assert Division.objects.get(name="卓克基镇").valid_to == REF[2020]


def test_a_township_user_cannot_see_another_scopes_runs(client, cast, editions):
    run = services.run_reconciliation(editions[2019], editions[2020], "513201")
    login(client, cast["songgang"])
    assert client.get(reverse("divisions:run", args=[run.pk])).status_code == 404
    login(client, cast["office"])
    assert client.get(reverse("divisions:run", args=[run.pk])).status_code == 200


def test_the_list_shows_the_tree_as_of_a_date(client, cast):
    login(client, cast["office"])
    before = client.get(reverse("divisions:list"), {"as_of": "2020-01-01", "level": 5, "q": "纳足"}).content.decode()
    assert "513201101200" in before and "513201100210" not in before
    after = client.get(reverse("divisions:list"), {"as_of": "2021-01-01", "level": 4}).content.decode()
    assert "卓克基镇" not in after and "马尔康镇" in after


def test_an_edition_imports_as_a_job_from_the_page(client, db, make_user, settings, nbs_subset,
                                                   django_capture_on_commit_callbacks):
    from xiangcun.divisions.models import Edition, EditionEntry

    settings.NBS_DIR = nbs_subset
    admin = make_user("admin1", Role.ADMIN, None)
    login(client, admin)
    page = client.get(reverse("divisions:editions")).content.decode()
    assert "2019.csv.gz" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("divisions:editions"), {
            "edition": 2019, "ref_date": "2019-10-31", "scope": "513201", "server_file": "2019.csv.gz"})
    job = client.get(response["Location"]).content.decode()
    assert "已完成" in job and "2019 年版导入" in job
    assert Edition.objects.get(year=2019).scopes == ["513201"]

    bad = io.BytesIO("code,name,level,parent_code\n510000000000,四川省,1,\n513201999999,无上级,5,513201999000\n".encode())
    bad.name = "bad.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("divisions:editions"), {"edition": 2030, "ref_date": "2030-01-01", "file": bad})
    job = client.get(response["Location"]).content.decode()
    assert "失败" in job and "第 3 行" in job and "不存在" in job
    assert not Edition.objects.filter(year=2030).exists()
    assert EditionEntry.objects.filter(code="513201999999").count() == 0
