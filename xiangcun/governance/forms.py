"""Forms of the responsibility lists and 事项准入; the rules live in `services` (errors come back beside fields)."""
from django import forms

from xiangcun.bodies.models import Body, BodyKind
from xiangcun.core.forms import DateInput
from xiangcun.core.validators import sensible_date
from xiangcun.divisions.forms import UnitChoice, UnitsChoice
from xiangcun.divisions.levels import Level
from xiangcun.divisions.models import Division

from .models import Admission, DutyItem, ListKind, LocalItem


def _style(form):
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxSelectMultiple):
            continue
        css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
        field.widget.attrs.setdefault("class", css)
        if isinstance(field.widget, forms.Textarea):
            field.widget.attrs.setdefault("rows", 2)


def _places(user):
    return Division.objects.visible_to(user).filter(level__in=(Level.COUNTY, Level.TOWNSHIP), valid_to__isnull=True)


class ListForm(forms.Form):
    kind = forms.ChoiceField(label="清单类别", choices=ListKind.choices)
    unit = UnitChoice(queryset=Division.objects.none(), label="所属区划", help_text="选县(市)即编制县级模板")
    title = forms.CharField(label="清单名称", max_length=100, required=False, help_text="不填则按区划和类别命名")
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = _places(user)
        self.fields["unit"].queryset = units
        self.fields["unit"].in_tree_order(units)
        _style(self)


class AdoptForm(forms.Form):
    township = UnitChoice(queryset=Division.objects.none(), label="采用的乡镇")

    def __init__(self, *args, user=None, template=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = _places(user).filter(level=Level.TOWNSHIP, path__startswith=template.unit.path)
        self.fields["township"].queryset = units
        self.fields["township"].in_tree_order(units)
        _style(self)


class PublishForm(forms.Form):
    doc_number = forms.CharField(label="发布文号", max_length=100, required=False, help_text="如:松府发〔2025〕3号")
    effective_from = forms.DateField(label="施行日期", widget=DateInput, required=False, validators=[sensible_date])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class DutyItemForm(forms.ModelForm):
    class Meta:
        model = DutyItem
        fields = ["name", "category", "legal_basis", "body", "office_name", "duties", "accountability"]
        widgets = {"legal_basis": forms.Textarea, "duties": forms.Textarea, "accountability": forms.Textarea}

    def __init__(self, *args, lst=None, **kwargs):
        super().__init__(*args, **kwargs)
        if lst.is_template:
            del self.fields["body"]
            self.fields["office_name"].required = True
        else:
            self.fields["body"].queryset = Body.objects.filter(unit=lst.unit, valid_to__isnull=True).order_by("name")
            self.fields["body"].required = True
            del self.fields["office_name"]
        _style(self)


class LocalItemForm(forms.ModelForm):
    class Meta:
        model = LocalItem
        fields = ["cooperation", "legal_basis"]
        widgets = {"legal_basis": forms.Textarea}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class AdmissionForm(forms.ModelForm):
    townships = UnitsChoice(queryset=Division.objects.none(), label="适用乡镇", required=False,
                            help_text="不选即全县(市)所有乡镇", widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Admission
        fields = ["department", "name", "cooperation", "legal_basis", "reason"]
        widgets = {"legal_basis": forms.Textarea, "reason": forms.Textarea}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Body.objects.visible_to(user).filter(kind=BodyKind.COUNTY_DEPARTMENT, valid_to__isnull=True)
        if user is not None and user.body_id and user.department:
            departments = departments.filter(pk=user.body_id)
            self.fields["department"].initial = user.body_id
        self.fields["department"].queryset = departments.order_by("name")
        units = _places(user).filter(level=Level.TOWNSHIP)
        self.fields["townships"].queryset = units
        self.fields["townships"].in_tree_order(units)
        _style(self)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="审批结果", choices=(("approve", "准入"), ("refuse", "不予准入")))
    note = forms.CharField(label="审批意见", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


# --- 扩权赋能 and enforcement ------------------------------------------------------------------------------

def _townships(user):
    return _places(user).filter(level=Level.TOWNSHIP)


def _departments(user):
    return Body.objects.visible_to(user).filter(kind=BodyKind.COUNTY_DEPARTMENT, valid_to__isnull=True).order_by("name")


class DelegationForm(forms.ModelForm):
    townships = UnitsChoice(queryset=Division.objects.none(), label="承接乡镇", widget=forms.CheckboxSelectMultiple)

    class Meta:
        from .models import Delegation

        model = Delegation
        fields = ["name", "department", "mode", "legal_basis", "doc_number", "valid_from", "valid_to"]
        widgets = {"legal_basis": forms.Textarea, "valid_from": DateInput(), "valid_to": DateInput()}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments(user)
        units = _townships(user)
        self.fields["townships"].queryset = units
        self.fields["townships"].in_tree_order(units)
        if self.instance.pk:
            self.initial["townships"] = list(self.instance.townships.values_list("pk", flat=True))
        _style(self)


class FollowUpForm(forms.ModelForm):
    township = UnitChoice(queryset=Division.objects.none(), label="乡镇")

    class Meta:
        from .models import FollowUp

        model = FollowUp
        fields = ["township", "kind", "date", "cases", "rating", "note"]
        widgets = {"date": DateInput()}

    def __init__(self, *args, user=None, delegation=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = _townships(user).filter(pk__in=delegation.townships.values("pk"))
        self.fields["township"].queryset = units
        self.fields["township"].in_tree_order(units)
        _style(self)


class EnforcementItemForm(forms.ModelForm):
    townships = UnitsChoice(queryset=Division.objects.none(), label="承接乡镇", required=False,
                            widget=forms.CheckboxSelectMultiple)

    class Meta:
        from .models import EnforcementItem

        model = EnforcementItem
        fields = ["name", "category", "department", "legal_basis"]
        widgets = {"legal_basis": forms.Textarea}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments(user)
        units = _townships(user)
        self.fields["townships"].queryset = units
        self.fields["townships"].in_tree_order(units)
        if self.instance.pk:
            self.initial["townships"] = list(self.instance.townships.values_list("pk", flat=True))
        _style(self)


class OfficerForm(forms.ModelForm):
    unit = UnitChoice(queryset=Division.objects.none(), label="乡镇")

    class Meta:
        from .models import EnforcementOfficer

        model = EnforcementOfficer
        fields = ["unit", "name", "certificate", "expires"]
        widgets = {"expires": DateInput()}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = _townships(user)
        self.fields["unit"].queryset = units
        self.fields["unit"].in_tree_order(units)
        _style(self)


# --- 机构编制 and 定岗定责定人 -------------------------------------------------------------------------------

class EstablishmentForm(forms.ModelForm):
    class Meta:
        from .models import Establishment

        model = Establishment
        fields = ["administrative", "institutional", "service", "leaders"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class PostForm(forms.ModelForm):
    class Meta:
        from .models import Post

        model = Post
        fields = ["body", "name", "duties", "items", "vacant_since"]
        widgets = {"duties": forms.Textarea, "vacant_since": DateInput(), "items": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user=None, **kwargs):
        from . import services_staffing

        super().__init__(*args, **kwargs)
        bodies = services_staffing.township_bodies(user)
        self.fields["body"].queryset = bodies
        self.fields["body"].label_from_instance = lambda b: b.name
        units = {b.unit_id for b in bodies}
        self.fields["items"].queryset = (DutyItem.objects.visible_to(user).filter(
            list__unit_id__in=units, list__is_template=False, list__status="published", list__effective_to__isnull=True)
            .select_related("list__unit").order_by("list__unit__path", "name"))
        self.fields["items"].label_from_instance = lambda i: f"{i.list.unit.name}:{i.name}"
        _style(self)


class StaffForm(forms.ModelForm):
    class Meta:
        from .models import Staff

        model = Staff
        fields = ["body", "post", "name", "id_number", "phone", "kind", "rank", "leader", "non_leader", "secondment", "left_on"]
        widgets = {"left_on": DateInput(), "id_number": forms.TextInput, "phone": forms.TextInput}

    def __init__(self, *args, user=None, **kwargs):
        from . import services_staffing
        from .models import Post

        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = services_staffing.township_bodies(user)
        self.fields["post"].queryset = Post.objects.visible_to(user).filter(body__valid_to__isnull=True).select_related("body")
        self.fields["phone"].required = False
        _style(self)
        for name in ("leader", "non_leader"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def clean_phone(self):
        from xiangcun.core.validators import mobile

        value = (self.cleaned_data.get("phone") or "").strip()
        return mobile(value) if value else ""


class PlaceForm(forms.Form):
    post = forms.ModelChoiceField(queryset=None, label="安置岗位")

    def __init__(self, *args, posts=(), **kwargs):
        from .models import Post

        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = Post.objects.filter(pk__in=[p.pk for p in posts])
        self.fields["post"].choices = [("", "请选择岗位")] + [(p.pk, f"{p.body.name} · {p.name}") for p in posts]
        _style(self)
