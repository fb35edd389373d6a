"""Forms of task supervision; the rules live in `services` (each refused field is put back beside its field)."""
from django import forms
from django.core.exceptions import ValidationError

from xiangcun.core.forms import DateField
from xiangcun.core.validators import parse_date, sensible_date
from xiangcun.indicators.models import Target

from .models import EscalationKind, Milestone, ReportStatus, Round, Section, Task, TaskLevel


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


class TaskForm(forms.Form):
    """A key task, measure or assignment. Bodies are typed by name (full, short, or after the county's name) and
    matched against the county's register of bodies like the import does; an unknown or ambiguous name is an
    error beside its field."""
    number = forms.CharField(label="序号", max_length=20, help_text="如 1、1.2、1.2.3",
                             error_messages={"required": "请填写序号"})
    level = forms.ChoiceField(label="层级", choices=TaskLevel.choices, initial=TaskLevel.MEASURE)
    parent = forms.ModelChoiceField(label="上级任务", queryset=Task.objects.none(), required=False,
                                    empty_label="—(重点任务不填)")
    title = forms.CharField(label="任务名称", max_length=200, error_messages={"required": "请填写任务名称"})
    content = forms.CharField(label="具体内容", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    section = forms.ChoiceField(label="讲话部分", choices=Section.choices)
    lead = forms.CharField(label="牵头单位", max_length=100, error_messages={"required": "请填写牵头单位"},
                           help_text="机构全称或简称,如“民政局”")
    supporting = forms.CharField(label="配合单位", max_length=1000, required=False, help_text="多个用顿号分隔")
    leader = forms.CharField(label="责任领导", max_length=50, required=False)
    start = DateField(label="开始日期", required=False, validators=[sensible_date])
    deadline = DateField(label="完成时限", validators=[sensible_date], error_messages={"required": "请填写完成时限"})
    evidence_required = forms.CharField(label="佐证材料要求", max_length=300, required=False)
    targets = forms.ModelMultipleChoiceField(label="衡量的考核目标", queryset=Target.objects.none(),
                                             required=False, help_text="按住 Ctrl 可选多个;这些目标的完成情况计入目标考核")
    milestones = forms.CharField(label="任务节点", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text="每行一个:日期 节点名称,如“2026-06-30 完成方案”;删去一行即删除该未完成节点")

    def __init__(self, *args, county=None, user=None, task=None, **kwargs):
        from .imports import BodyMatcher

        if task is not None and task.pk and not kwargs.get("initial"):
            kwargs["initial"] = ({
                "number": task.number, "level": task.level, "parent": task.parent_id, "title": task.title,
                "content": task.content, "section": task.section, "lead": task.lead.name,
                "supporting": "、".join(task.supporting.values_list("name", flat=True)), "leader": task.leader,
                "start": task.start, "deadline": task.deadline, "evidence_required": task.evidence_required,
                "targets": list(task.targets.values_list("pk", flat=True)),
                "milestones": "\n".join(f"{m.due:%Y-%m-%d} {m.title}" for m in task.milestones.all())})
        super().__init__(*args, **kwargs)
        self.county, self.matcher = county, BodyMatcher(county)
        parents = Task.objects.filter(county=county, level__in=(TaskLevel.KEY, TaskLevel.MEASURE)).order_by("number")
        if task is not None and task.pk:
            parents = parents.exclude(pk=task.pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].label_from_instance = lambda t: f"{t.number} {t.title[:30]}"
        from xiangcun.divisions.scoping import subtree_q

        targets = Target.objects.visible_to(user).filter(subtree_q(county, "unit__path"))
        self.fields["targets"].queryset = targets.select_related("unit", "element").order_by("unit__path", "element__name", "period")
        self.fields["lead"].widget.attrs["list"] = "body-names"
        self.fields["supporting"].widget.attrs["list"] = "body-names"
        self.fields["targets"].widget.attrs["size"] = 4
        _style(self)

    def clean_lead(self):
        names = self.matcher.names(self.cleaned_data["lead"])
        if names.townships or len(names) != 1:
            raise ValidationError("牵头单位只填一个机构(分解到各乡镇时,请为每个乡镇建一项“分解到单位”的任务)")
        return names[0]

    def clean_supporting(self):
        names = self.matcher.names(self.cleaned_data["supporting"] or "")
        if names.townships:
            raise ValidationError("请逐个写出配合的乡镇人民政府")
        return list(names)

    def clean_milestones(self):
        out, problems, seen = [], [], set()
        for i, line in enumerate((self.cleaned_data["milestones"] or "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            head, _, title = line.partition(" ")
            title = title.strip()
            try:
                due = parse_date(head.strip())
                sensible_date(due)
            except ValidationError:
                problems.append(f"第{i}行的日期“{head}”应写作 2026-06-30")
                continue
            if not title or len(title) > 100:
                problems.append(f"第{i}行缺少节点名称(或超过100字)")
            elif title in seen:
                problems.append(f"第{i}行的节点“{title}”重复")
            else:
                seen.add(title)
                out.append((due, title))
        if problems:
            raise ValidationError(";".join(problems))
        return out


class SchemeForm(forms.Form):
    """A year's assessment scheme: the points of each item (基础分 + the three scored items = 100) and deductions."""
    base = forms.IntegerField(label="基础分", min_value=0, max_value=100)
    on_time = forms.IntegerField(label="报送及时率(分)", min_value=0, max_value=100, help_text="及时报送次数/报送次数 × 分值")
    progress = forms.IntegerField(label="任务推进(分)", min_value=0, max_value=100, help_text="任务平均已采纳进度 × 分值")
    targets = forms.IntegerField(label="指标目标完成(分)", min_value=0, max_value=100,
                                 help_text="任务关联的考核目标平均完成度 × 分值;无可考核目标的计满分")
    per_return = forms.IntegerField(label="退回每次扣分", min_value=0, max_value=100)
    max_return = forms.IntegerField(label="退回最多扣分", min_value=0, max_value=100)
    per_notice = forms.IntegerField(label="督办单每份扣分", min_value=0, max_value=100)
    max_notice = forms.IntegerField(label="督办单最多扣分", min_value=0, max_value=100)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
