import datetime as dt

from django import forms

from xiangcun.core.forms import DateInput
from xiangcun.core.validators import sensible_date

from . import ordering
from .models import Division, Edition, EventType, Kind, Level


class StatsForm(forms.Form):
    scope = forms.CharField(label="范围(区划代码)", max_length=12)
    date_from = forms.DateField(label="改革前日期", widget=DateInput, validators=[sensible_date])
    date_to = forms.DateField(label="改革后日期", widget=DateInput, validators=[sensible_date])


class EditionImportForm(forms.Form):
    edition = forms.IntegerField(label="版次(年)", min_value=2009, max_value=2100)
    ref_date = forms.DateField(label="截止日期", widget=DateInput, validators=[sensible_date])
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
    _small = {"class": "form-control form-control-sm"}
    name = forms.CharField(label="名称", max_length=100, widget=forms.TextInput(attrs=_small),
                           error_messages={"required": "请填写村民小组名称"})
    households = forms.IntegerField(label="户数", min_value=0, max_value=1_000_000, required=False,
                                    widget=forms.NumberInput(attrs={**_small, "min": 0}))
    population = forms.IntegerField(label="人口", min_value=0, max_value=10_000_000, required=False,
                                    widget=forms.NumberInput(attrs={**_small, "min": 0}))
    valid_from = forms.DateField(label="设立日期", widget=DateInput(attrs=_small), required=False,
                                 validators=[sensible_date])


class _Indented:
    """Units listed as a tree: indented one full-width space per level below the county; villager groups in
    number order, each named with its village (一组(松岗村)) or the village a merger moved it from
    (一组(原七里村)), so that two 一组 can be told apart once picked."""

    former: dict = {}

    def label_from_instance(self, unit):
        name = ordering.group_label(unit, self.former) if unit.level == Level.GROUP else unit.name
        return "\u3000" * max(0, unit.level - 3) + name

    def in_tree_order(self, units):
        units = ordering.tree_sorted(units)
        self.former = ordering.former_parents(units)
        self.choices = ([("", self.empty_label)] if getattr(self, "empty_label", None) is not None else []) + [
            (u.pk, self.label_from_instance(u)) for u in units]


class UnitChoice(_Indented, forms.ModelChoiceField):
    pass


class UnitsChoice(_Indented, forms.ModelMultipleChoiceField):
    pass


class EventForm(forms.Form):
    """录入区划变更 by hand: every kind of change, each checked by the registry's services."""

    TYPES = [
        (EventType.MERGE, "合并(撤并)"),
        (EventType.SPLIT, "拆分"),
        (EventType.RENAME, "更名"),
        (EventType.TRANSFER, "隶属变更"),
        (EventType.TOWNSHIP_TO_TOWN, "撤乡设镇"),
        (EventType.TO_SUBDISTRICT, "撤镇(乡)设街道"),
        (EventType.RECODE, "代码变更"),
        (EventType.ABOLISH, "撤销"),
        (EventType.ESTABLISH, "设立"),
    ]
    type = forms.ChoiceField(label="变更类型", choices=TYPES)
    effective_date = forms.DateField(label="生效日期", widget=DateInput, initial=dt.date.today,
                                     validators=[sensible_date])
    document = forms.CharField(label="批复文号", max_length=100, required=False,
                               widget=forms.TextInput(attrs={"placeholder": "例如 川府民政〔2019〕22号"}))
    predecessors = UnitsChoice(Division.objects.none(), label="涉及单位(变更前)", required=False)
    successor = UnitChoice(Division.objects.none(), label="并入单位 / 新上级", required=False)
    successors = UnitsChoice(Division.objects.none(), label="承接的现有单位(拆分)", required=False)
    new_name = forms.CharField(label="新名称", max_length=300, required=False,
                               help_text="拆分新设多个单位时用顿号分隔,如 甲村、乙村")
    new_kind = forms.ChoiceField(label="新类别", choices=[("", "—")] + list(Kind.choices), required=False)
    new_code = forms.CharField(label="新代码", max_length=12, required=False)
    note = forms.CharField(label="说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = units if units is not None else Division.objects.none()
        tree = units.current().filter(level__gte=3).select_related("parent").order_by("path")
        listed = list(tree)
        for name in ("predecessors", "successor", "successors"):
            self.fields[name].queryset = tree
            self.fields[name].in_tree_order(listed)

    def clean_new_code(self):
        code = (self.cleaned_data.get("new_code") or "").strip()
        if code and not (code.isdigit() and len(code) == 12):
            raise forms.ValidationError("代码应为 12 位数字")
        return code

    def record(self, user):
        """Record the change through the registry's services; DivisionError (Chinese) when it does not fit."""
        from . import services

        d = self.cleaned_data
        t, when = d["type"], d["effective_date"]
        preds, succ = list(d["predecessors"]), d["successor"]
        names = [n.strip() for n in d["new_name"].replace(",", "、").replace(",", "、").split("、") if n.strip()]
        kind, code = d["new_kind"] or None, d["new_code"] or None
        kw = {"document": d["document"], "note": d["note"], "user": user}

        def one(what):
            if len(preds) != 1:
                raise services.DivisionError(f"{what}需要在“涉及单位”中选择一个单位")
            return preds[0]

        if t == EventType.MERGE:
            if not preds or not (succ or names):
                raise services.DivisionError("合并需要选择被撤并的单位和并入单位(合并设立新单位时,填写新名称、"
                                             "新类别,并在“并入单位 / 新上级”中选择新单位的上级)")
            if names:  # 合并设立: the predecessors merge into a new unit under `succ`
                if not succ or not kind or len(names) != 1:
                    raise services.DivisionError("合并设立新单位需要一个新名称、新类别,并选择新单位的上级")
                return services.merge(preds, when, new={"name": names[0], "kind": kind, "parent": succ,
                                                         "code": code or ""}, **kw)
            return services.merge(preds, when, into=succ, **kw)
        if t == EventType.SPLIT:
            unit = one("拆分")
            if names and not kind:
                raise services.DivisionError("拆分新设单位需要选择新类别")
            new = [{"name": n, "kind": kind, "parent": unit.parent} for n in names]
            if len(list(d["successors"])) + len(new) < 2:
                raise services.DivisionError("拆分至少需要两个承接单位(现有单位或新设单位)")
            return services.split(unit, when, into=list(d["successors"]), new=new, **kw)
        if t in (EventType.RENAME, EventType.TOWNSHIP_TO_TOWN, EventType.TO_SUBDISTRICT):
            unit = one("更名")
            if t == EventType.TOWNSHIP_TO_TOWN:
                kind = kind or Kind.TOWN
            elif t == EventType.TO_SUBDISTRICT:
                kind = kind or Kind.SUBDISTRICT
            if not names and not kind:
                raise services.DivisionError("更名需要填写新名称")
            return services.rename(unit, when, name=names[0] if names else None, kind=kind, code=code, type_=t, **kw)
        if t == EventType.RECODE:
            unit = one("代码变更")
            if not code:
                raise services.DivisionError("代码变更需要填写新代码")
            return services.rename(unit, when, code=code, type_=t, **kw)
        if t == EventType.TRANSFER:
            if not preds or not succ:
                raise services.DivisionError("隶属变更需要选择单位和新上级")
            return [services.transfer(p, succ, when, code=code if len(preds) == 1 else None, **kw) for p in preds][-1]
        if t == EventType.ABOLISH:
            return services.abolish(one("撤销"), when, **kw)
        if t == EventType.ESTABLISH:
            if not succ or len(names) != 1 or not kind:
                raise services.DivisionError("设立需要选择上级单位并填写名称和类别")
            return services.establish(names[0], kind, succ, when, code=code or "", **kw)
        raise services.DivisionError("不支持的变更类型")


class BaselineForm(forms.Form):
    """建立区划基线: a county's units from an imported NBS edition, as a background job."""

    edition = forms.ModelChoiceField(Edition.objects.all(), label="版次", empty_label="请选择已导入的版次",
                                     error_messages={"required": "请选择版次"})
    county = forms.CharField(label="县级区划代码", max_length=12, error_messages={"required": "请填写县级区划代码"},
                             help_text="6 位或 12 位,如 513201(马尔康市);已在台账中的单位不会重复建立")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        from . import services

        data = super().clean()
        if "county" in self.errors:
            return data
        for field, message in services.baseline_problems(self.user, data.get("edition"), data.get("county", "")).items():
            if field not in self.errors:
                self.add_error(field, message)
        if not self.errors:
            data["county"] = data["county"].strip()[:6]
        return data
