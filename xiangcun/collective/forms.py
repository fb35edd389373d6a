"""Forms of the collective economy module; the rules live in `services` (shared with the import and the API)."""
from django import forms

from xiangcun.core.forms import DateInput
from xiangcun.core.validators import sensible_date
from xiangcun.divisions.forms import UnitChoice
from xiangcun.divisions.levels import Level
from xiangcun.divisions.models import Division

from .models import MODE_HELP, IntegrationMode, Organisation, OrgStatus, registration_number


def _style(form):
    for f in form.fields.values():
        if isinstance(f.widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
            continue
        css = "form-select form-select-sm" if isinstance(f.widget, forms.Select) else "form-control form-control-sm"
        f.widget.attrs.setdefault("class", css)


def villages_of(user):
    return Division.objects.visible_to(user).filter(level=Level.VILLAGE, valid_to__isnull=True)


class OrganisationForm(forms.ModelForm):
    village = UnitChoice(queryset=Division.objects.none(), label="所属村(社区)")

    class Meta:
        model = Organisation
        fields = ["name", "code", "level", "kind", "village", "group", "established", "note"]
        widgets = {"established": DateInput()}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        villages = villages_of(user)
        self.fields["village"].queryset = villages
        self.fields["village"].in_tree_order(villages)
        self.fields["group"].queryset = Division.objects.visible_to(user).filter(level=Level.GROUP, valid_to__isnull=True)
        self.fields["code"].help_text = "18 位统一社会信用代码(按 GB 32100 校验),或登记证书编号;可不填"
        _style(self)

    def clean_code(self):
        from django.core.exceptions import ValidationError

        try:
            return registration_number(self.cleaned_data.get("code"))
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None


class IntegrationForm(forms.Form):
    village = UnitChoice(queryset=Division.objects.none(), label="合并后的村(社区)")
    mode = forms.ChoiceField(label="整合方式", choices=IntegrationMode.choices, widget=forms.RadioSelect)
    parties = forms.ModelMultipleChoiceField(queryset=Organisation.objects.none(), label="参与整合的原组织",
                                             widget=forms.CheckboxSelectMultiple, required=False)
    survivor = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="并入的组织", required=False,
                                      help_text="直接合并、逐步过渡:原组织之一;不选则填写新组织名称")
    new_name = forms.CharField(label="新组织名称", max_length=100, required=False,
                               help_text="股份合作:股份经济合作社名称;联合经营:联合经营体名称")
    new_code = forms.CharField(label="新组织统一社会信用代码/登记证书编号", max_length=40, required=False)
    transition_until = forms.DateField(label="过渡期截止日期", required=False, widget=DateInput, validators=[sensible_date],
                                       help_text="逐步过渡:此前原组织单独核算,期满并入")
    resolution_date = forms.DateField(label="决议日期", widget=DateInput, validators=[sensible_date])
    eligible = forms.IntegerField(label="应参会人数", min_value=1, max_value=100000)
    present = forms.IntegerField(label="实参会人数", min_value=0, max_value=100000)
    votes_for = forms.IntegerField(label="赞成票", min_value=0, max_value=100000)
    votes_against = forms.IntegerField(label="反对票", min_value=0, max_value=100000, required=False)
    abstentions = forms.IntegerField(label="弃权票", min_value=0, max_value=100000, required=False)
    document = forms.CharField(label="决议文号/会议记录编号", max_length=100, required=False)
    note = forms.CharField(label="备注", max_length=300, required=False)

    def __init__(self, *args, user=None, village=None, **kwargs):
        super().__init__(*args, **kwargs)
        villages = villages_of(user)
        self.fields["village"].queryset = villages
        self.fields["village"].in_tree_order(villages)
        orgs = Organisation.objects.visible_to(user).exclude(status=OrgStatus.CLOSED).select_related("village")
        if village is not None:
            orgs = orgs.filter(village=village)
        self.fields["parties"].queryset = orgs
        self.fields["survivor"].queryset = orgs
        self.fields["mode"].choices = [(k, f"{label}({MODE_HELP[k]})") for k, label in IntegrationMode.choices]
        self.share_fields = []
        for org in orgs:
            name = f"shares_{org.pk}"
            self.fields[name] = forms.DecimalField(label=f"{org.name}持股(股)", required=False, min_value=0,
                                                   max_digits=12, decimal_places=2)
            self.share_fields.append((org, name))
        _style(self)
