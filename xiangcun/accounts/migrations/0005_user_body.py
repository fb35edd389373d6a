"""Users belong to a body of the register (机构) instead of naming a department in free text: each distinct
department text becomes (or finds) the county department of the user's county, and the text column goes."""
import django.db.models.deletion
from django.db import migrations, models

COUNTY_LEVEL = 3
# the same full names bodies.services knows (a migration keeps its own frozen copy)
NAMES = {
    "财政": "财政局", "民政": "民政局", "教育": "教育局", "卫健": "卫生健康局", "交通": "交通运输局",
    "自然资源": "自然资源局", "农业农村": "农业农村局", "政务服务": "政务服务管理局", "司法": "司法局",
    "住建": "住房和城乡建设局", "水务": "水务局", "应急": "应急管理局", "市场监管": "市场监督管理局",
    "人社": "人力资源和社会保障局", "残联": "残疾人联合会", "国资": "国有资产管理中心", "供销社": "供销合作社联合社",
}


def link_departments(apps, schema_editor):
    User, Body, Division = apps.get_model("accounts", "User"), apps.get_model("bodies", "Body"), apps.get_model("divisions", "Division")
    for user in User.objects.exclude(department="").exclude(department__isnull=True).select_related("jurisdiction"):
        text = user.department.strip()
        unit = user.jurisdiction
        county = None
        if unit is not None:
            ids = [int(x) for x in unit.path.strip("/").split("/") if x]
            county = Division.objects.filter(pk__in=ids, level=COUNTY_LEVEL).first()
        if county is None:  # no county to hang the department on: keep the text in the user's name, never lose it
            if text not in (user.display_name or ""):
                user.display_name = f"{user.display_name or user.username}({text})"[:50]
                user.save(update_fields=["display_name"])
            continue
        name = f"中共{county.name}委机构编制委员会办公室" if text == "委编办" else f"{county.name}{NAMES.get(text, text)}"
        body = (Body.objects.filter(kind="county_department", unit=county, short_name=text, valid_to__isnull=True).first()
                or Body.objects.create(kind="county_department", unit=county, short_name=text, name=name))
        user.body = body
        user.save(update_fields=["body"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_otp_guard_and_api_tokens'),
        ('bodies', '0001_initial'),
        ('divisions', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='body',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='users', to='bodies.body', verbose_name='所属机构'),
        ),
        migrations.RunPython(link_departments, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='user',
            name='department',
        ),
    ]
