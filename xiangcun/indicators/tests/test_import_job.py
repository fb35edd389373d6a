"""A large indicator import runs as background jobs and keeps the page's ?period=&level= (the importer depends on them)."""
import io
import re

from django.urls import reverse
from openpyxl import Workbook

from xiangcun.core.models import Job, JobStatus
from xiangcun.indicators.models import DataValue


def test_the_jobs_of_a_large_indicator_import_keep_the_period_and_level(client, people, unit, settings,
                                                                         django_capture_on_commit_callbacks):
    settings.IMPORT_JOB_ROWS = 2
    client.force_login(people["songgang"])
    wb = Workbook()
    ws = wb.active
    ws.append(["单位代码", "单位名称", "户籍户数(户)", "卫生厕所户数(户)"])
    ws.append([unit("松岗村").code, "松岗村", 300, 280])
    ws.append([unit("直波村").code, "直波村", 200, 150])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "values.xlsx"
    url = reverse("indicators:import") + "?period=2023&level=5"
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, {"file": out})
    assert answer.status_code == 302 and "period=2023" in answer["Location"] and "level=5" in answer["Location"]
    check = Job.objects.get(kind="excel_preview")
    assert check.status == JobStatus.SUCCEEDED, check.error
    preview = client.get(answer["Location"]).content.decode()
    assert "全部 2 行检查通过" in preview and "确认导入 2 行" in preview
    token = re.search(r"token=([\w-]+)", answer["Location"])[1]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "confirm", "token": token})
    write = Job.objects.get(kind="excel_import")
    assert write.status == JobStatus.SUCCEEDED and write.result["written"], write.error
    done = client.get(answer["Location"])
    assert done.status_code == 302 and done["Location"].startswith(reverse("indicators:values") + "?period=2023")
    assert DataValue.objects.filter(period="2023", unit=unit("松岗村")).count() == 2
