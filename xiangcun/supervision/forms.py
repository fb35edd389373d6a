"""Forms of task supervision; the rules live in `services` (each refused field is put back beside its field)."""
from django import forms

from xiangcun.core.forms import DateField
from xiangcun.core.validators import sensible_date

from .models import EscalationKind, Milestone, ReportStatus, Round


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def _style(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select form-select-sm")
        elif not isinstance(widget, (forms.CheckboxInput, forms.HiddenInput)):
            widget.attrs.setdefault("class", "form-control form-control-sm")


class ReportForm(forms.Form):
    round = forms.ModelChoiceField(label="报送轮次", queryset=Round.objects.none(), empty_label=None)
    body = forms.ModelChoiceField(label="报送单位", queryset=None, empty_label=None)
    text = forms.CharField(label="进展情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))
    percent = forms.IntegerField(label="完成进度(%)", min_value=0, max_value=100)
    milestone = forms.ModelChoiceField(label="达到的节点", queryset=Milestone.objects.none(), required=False,
                                       empty_label="—")
    files = MultipleFileField(label="佐证材料", required=False,
                              help_text="PDF、JPG、PNG、Word 或 Excel,每个不超过 10 MB,一次最多 5 个")

    def __init__(self, *args, task=None, bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = Round.objects.filter(county=task.county).order_by("-period_start")
        self.fields["body"].queryset = bodies
        self.fields["milestone"].queryset = task.milestones.filter(reached_on__isnull=True)
        _style(self)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="审核意见", choices=[(ReportStatus.ACCEPTED, "采纳"), (ReportStatus.RETURNED, "退回")])
    reason = forms.CharField(label="退回理由", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class RemindForm(forms.Form):
    note = forms.CharField(label="催办内容", max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class NoticeForm(forms.Form):
    reply_due = DateField(label="回复时限", validators=[sensible_date])
    matter = forms.CharField(label="督办事项", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ReplyForm(forms.Form):
    reply = forms.CharField(label="办理情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class EscalationForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=EscalationKind.choices)
    happened_on = DateField(label="日期", validators=[sensible_date])
    person = forms.CharField(label="对象", max_length=100, help_text="人员及职务")
    note = forms.CharField(label="情况", max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class CloseForm(forms.Form):
    verifier = forms.CharField(label="核验人", max_length=50, error_messages={"required": "请填写核验人姓名"})
    evidence = forms.CharField(label="销号依据", max_length=500, error_messages={"required": "请填写销号依据(核验的佐证材料)"}, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text="核验了哪些佐证材料、现场情况")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class RoundForm(forms.ModelForm):
    period_start = DateField(label="期间开始")
    period_end = DateField(label="期间结束")
    due = DateField(label="报送截止日期")

    class Meta:
        model = Round
        fields = ["title", "period_start", "period_end", "due"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def clean(self):
        data = super().clean()
        start, end, due = data.get("period_start"), data.get("period_end"), data.get("due")
        if start and end and end < start:
            self.add_error("period_end", "期间结束不能早于期间开始")
        if start and due and due < start:
            self.add_error("due", "报送截止日期不能早于期间开始")
        return data


class MilestoneForm(forms.Form):
    title = forms.CharField(label="节点", max_length=100, error_messages={"required": "请填写节点名称"})
    due = DateField(label="节点时限", validators=[sensible_date], error_messages={"required": "请填写节点时限"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
