import datetime as dt

from django import forms

from .models import Division, Edition, EventType, Kind


class DateInput(forms.DateInput):
    input_type = "date"


class StatsForm(forms.Form):
    scope = forms.CharField(label="范围(区划代码)", max_length=12)
    date_from = forms.DateField(label="改革前日期", widget=DateInput)
    date_to = forms.DateField(label="改革后日期", widget=DateInput)


class EditionImportForm(forms.Form):
    edition = forms.IntegerField(label="版次(年)", min_value=2009, max_value=2100)
    ref_date = forms.DateField(label="截止日期", widget=DateInput)
    scope = forms.CharField(label="范围(代码前缀,空为全国)", max_length=12, required=False)
    file = forms.FileField(label="上传文件(CSV 或 .csv.gz)", required=False)
    server_file = forms.ChoiceField(label="或选择服务器上的版次文件", required=False)

    def __init__(self, *args, server_files=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["server_file"].choices = [("", "—")] + [(f, f) for f in server_files]

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("server_file"):
            raise forms.ValidationError("请上传文件或选择服务器上的版次文件")
        scope = (data.get("scope") or "").strip()
        if scope and not scope.isdigit():
            self.add_error("scope", "范围应为数字代码前缀,例如 51 或 513201")
        return data


class ReconcileForm(forms.Form):
    from_edition = forms.ModelChoiceField(Edition.objects.all(), label="起始版次")
    to_edition = forms.ModelChoiceField(Edition.objects.all(), label="目标版次")
    scope = forms.CharField(label="范围(代码前缀)", max_length=12, required=False)

    def clean(self):
        data = super().clean()
        a, b = data.get("from_edition"), data.get("to_edition")
        if a and b and a.ref_date >= b.ref_date:
            raise forms.ValidationError("起始版次须早于目标版次")
        return data


class VillagerGroupForm(forms.Form):
    name = forms.CharField(label="村民小组名称", max_length=100)
    households = forms.IntegerField(label="户数", min_value=0, required=False)
    population = forms.IntegerField(label="人口", min_value=0, required=False)
    valid_from = forms.DateField(label="设立日期", widget=DateInput, required=False)


class EventForm(forms.Form):
    TYPES = [
        (EventType.MERGE, "合并(撤并)"),
        (EventType.RENAME, "更名"),
        (EventType.TRANSFER, "隶属变更"),
        (EventType.TOWNSHIP_TO_TOWN, "撤乡设镇"),
        (EventType.ABOLISH, "撤销"),
        (EventType.ESTABLISH, "设立"),
    ]
    type = forms.ChoiceField(label="变更类型", choices=TYPES)
    effective_date = forms.DateField(label="生效日期", widget=DateInput, initial=dt.date.today)
    document = forms.CharField(label="批复文号", max_length=100, required=False,
                               widget=forms.TextInput(attrs={"placeholder": "例如 川府民政〔2019〕22号"}))
    predecessors = forms.ModelMultipleChoiceField(Division.objects.none(), label="涉及单位(变更前)", required=False)
    successor = forms.ModelChoiceField(Division.objects.none(), label="并入单位 / 新上级", required=False)
    new_name = forms.CharField(label="新名称", max_length=100, required=False)
    new_kind = forms.ChoiceField(label="新类别", choices=[("", "—")] + list(Kind.choices), required=False)
    note = forms.CharField(label="说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = units if units is not None else Division.objects.none()
        self.fields["predecessors"].queryset = units.current().filter(level__gte=3)
        self.fields["successor"].queryset = units.current().filter(level__gte=3)
