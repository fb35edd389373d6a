"""The care registry (关爱服务): people who need looking after — 农村留守儿童, 困境儿童, 残疾人, 农村留守老年人,
特困人员 — with their carer, visits and referrals (issue #20).

This is the most sensitive personal data in the product. Name, 身份证号, address, the guardian's name and phone and
the 残疾证 number are encrypted at rest (`EncryptedCharField`); the 身份证号 also has a blind index (`id_index`, an
HMAC under the PII key) so a person registered twice is found without decrypting anyone. The name is encrypted
rather than only masked: a child's name with their village identifies them as well as an ID number does, and the
database, its backups and its dumps must not carry it in clear. Who may see a record in full is decided in
`permissions.py` (`Person.objects.identified_for(user)`); everyone else in scope sees counts.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from xiangcun.core.crypto import EncryptedCharField, blind_index, mask_id_number, mask_name, mask_phone
from xiangcun.core.models import DatedParameter, dated_parameter
from xiangcun.core.validators import birth_date_of
from xiangcun.divisions.scoping import ScopedQuerySet

ADULT_AGE = 18


def id_index_of(id_number: str) -> str:
    """The blind index of a (valid, normalised) 身份证号."""
    return blind_index(id_number.strip().upper(), "care.id_number")


def eighteenth_birthday(born: dt.date) -> dt.date:
    try:
        return born.replace(year=born.year + ADULT_AGE)
    except ValueError:  # born on 29 February: an adult from 1 March
        return dt.date(born.year + ADULT_AGE, 3, 1)


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class RiskLevel(models.TextChoices):
    GENERAL = "general", "一般"
    KEY = "key", "重点"
    SPECIAL = "special", "特别关注"


class Status(models.TextChoices):
    ACTIVE = "active", "在册"
    ENDED = "ended", "已退出"


class EndReason(models.TextChoices):
    AGED_OUT = "aged_out", "年满18周岁"
    PARENTS_RETURNED = "parents_returned", "父母返乡"
    MOVED_OUT = "moved_out", "迁出"
    DIED = "died", "死亡"
    NO_LONGER_ELIGIBLE = "not_eligible", "不再符合条件"


class DifficultyType(models.TextChoices):
    ORPHAN = "orphan", "孤儿"
    UNSUPPORTED = "unsupported", "事实无人抚养儿童"
    POOR = "poor", "困难家庭儿童"
    ILL_OR_DISABLED = "ill_disabled", "重病重残儿童"
    OTHER = "other", "其他困境儿童"


class DisabilityCategory(models.TextChoices):  # GB/T 26341-2010
    VISUAL = "visual", "视力残疾"
    HEARING = "hearing", "听力残疾"
    SPEECH = "speech", "言语残疾"
    PHYSICAL = "physical", "肢体残疾"
    INTELLECTUAL = "intellectual", "智力残疾"
    MENTAL = "mental", "精神残疾"
    MULTIPLE = "multiple", "多重残疾"


class DisabilityGrade(models.TextChoices):  # GB/T 26341-2010: 一级 most severe
    GRADE_1 = "1", "一级"
    GRADE_2 = "2", "二级"
    GRADE_3 = "3", "三级"
    GRADE_4 = "4", "四级"


class SupportMode(models.TextChoices):
    DISPERSED = "dispersed", "分散供养"
    CENTRALISED = "centralised", "集中供养"


class CarerRole(models.TextChoices):
    CHILDREN_DIRECTOR = "children_director", "儿童主任"
    DISABILITY_OFFICER = "disability_officer", "残疾人专职委员"
    GRID_WORKER = "grid_worker", "网格员"
    SOCIAL_WORKER = "social_worker", "社工"
    VOLUNTEER = "volunteer", "志愿者"


# the categories a person may hold (any number of them): field → label
CATEGORIES = {
    "left_behind_child": "农村留守儿童",
    "child_in_difficulty": "困境儿童",
    "disabled": "残疾人",
    "left_behind_elderly": "农村留守老年人",
    "extreme_poverty": "特困人员",
}


class Volunteer(models.Model):
    """A volunteer of the township or village who may be a person's carer, with the hours served."""

    name = models.CharField("姓名", max_length=30)
    phone = EncryptedCharField("联系电话", blank=True, default="")
    unit = models.ForeignKey("divisions.Division", verbose_name="所属乡镇或村", on_delete=models.PROTECT, related_name="+")
    hours = models.DecimalField("服务时长(小时)", max_digits=8, decimal_places=1, default=0)
    active = models.BooleanField("在册", default=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("unit__path",)

    class Meta:
        verbose_name = "志愿者"
        verbose_name_plural = "志愿者"
        ordering = ["unit__path", "name"]

    def __str__(self):
        return self.name


class PersonQuerySet(ScopedQuerySet):
    def identified_for(self, user):
        """The records this user may see in full (see permissions.identified_q)."""
        from .permissions import identified_q

        return self.filter(identified_q(user))

    def active(self):
        return self.filter(status=Status.ACTIVE)

    def in_category(self, category: str, on: dt.date | None = None):
        """Active people of a category on a date; a 留守儿童 counts only until the day before they turn 18."""
        qs = self.filter(**{f"is_{category}": True})
        if category == "left_behind_child":
            qs = qs.filter(birth_date__gt=adult_cutoff(on or dt.date.today()))
        return qs


def adult_cutoff(on: dt.date) -> dt.date:
    """Someone born on or before this date is 18 or older on `on`."""
    try:
        return on.replace(year=on.year - ADULT_AGE)
    except ValueError:
        return dt.date(on.year - ADULT_AGE, 2, 28)


class Person(models.Model):
    name = EncryptedCharField("姓名")
    id_number = EncryptedCharField("身份证号")
    id_index = models.CharField("身份证号索引", max_length=64, unique=True, editable=False)
    birth_date = models.DateField("出生日期", editable=False)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices, editable=False)
    village = models.ForeignKey("divisions.Division", verbose_name="村(社区)", on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey("divisions.Division", verbose_name="村民小组", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    address = EncryptedCharField("住址", blank=True, default="")
    guardian_name = EncryptedCharField("监护人或联系人", blank=True, default="")
    guardian_relation = models.CharField("与本人关系", max_length=20, blank=True)
    guardian_phone = EncryptedCharField("联系电话", blank=True, default="")
    # categories (one or more)
    is_left_behind_child = models.BooleanField("农村留守儿童", default=False)
    is_child_in_difficulty = models.BooleanField("困境儿童", default=False)
    difficulty_type = models.CharField("困境儿童类型", max_length=20, choices=DifficultyType.choices, blank=True)
    is_disabled = models.BooleanField("残疾人", default=False)
    disability_category = models.CharField("残疾类别", max_length=20, choices=DisabilityCategory.choices, blank=True)
    disability_grade = models.CharField("残疾等级", max_length=1, choices=DisabilityGrade.choices, blank=True)
    disability_card = EncryptedCharField("残疾证号", blank=True, default="")
    is_left_behind_elderly = models.BooleanField("农村留守老年人", default=False)
    is_extreme_poverty = models.BooleanField("特困人员", default=False)
    support_mode = models.CharField("供养方式", max_length=20, choices=SupportMode.choices, blank=True)
    # risk and status
    risk_level = models.CharField("风险等级", max_length=10, choices=RiskLevel.choices, default=RiskLevel.GENERAL)
    risk_reason = models.CharField("风险原因", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    end_reason = models.CharField("退出原因", max_length=20, choices=EndReason.choices, blank=True)
    ended_on = models.DateField("退出日期", null=True, blank=True)
    # the responsible carer: a user (儿童主任, 网格员 …) or a volunteer
    carer_role = models.CharField("关爱责任人类型", max_length=20, choices=CarerRole.choices, blank=True)
    carer_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="关爱责任人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="care_persons")
    carer_volunteer = models.ForeignKey(Volunteer, verbose_name="志愿者", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="persons")
    registered_on = models.DateField("登记日期", default=dt.date.today)

    objects = PersonQuerySet.as_manager()
    scope_fields = ("village__path",)

    class Meta:
        verbose_name = "关爱对象"
        verbose_name_plural = "关爱对象"
        ordering = ["village__path", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status="active") | ~Q(end_reason=""), name="care_person_end_reason"),
        ]

    def __str__(self):
        return self.masked_name  # what the audit log, errors and links show: never the full name

    def set_id_number(self, id_number: str) -> None:
        """Store a valid, normalised 身份证号 with its blind index, birth date and sex derived from it."""
        self.id_number = id_number
        self.id_index = id_index_of(id_number)
        self.birth_date = birth_date_of(id_number)
        self.sex = Sex.MALE if int(id_number[16]) % 2 else Sex.FEMALE

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_guardian_phone(self) -> str:
        return mask_phone(self.guardian_phone)

    def age_on(self, on: dt.date) -> int:
        b = self.birth_date
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))

    @property
    def age(self) -> int:
        return self.age_on(dt.date.today())

    @property
    def adult_on(self) -> dt.date:
        return eighteenth_birthday(self.birth_date)

    def aged_out(self, on: dt.date | None = None) -> bool:
        """A 留守儿童 still on the list on or after their 18th birthday: due to leave it."""
        return self.is_left_behind_child and (on or dt.date.today()) >= self.adult_on

    @property
    def category_labels(self) -> list[str]:
        out = []
        for field, label in CATEGORIES.items():
            if getattr(self, f"is_{field}"):
                if field == "child_in_difficulty" and self.difficulty_type:
                    label += f"({self.get_difficulty_type_display()})"
                elif field == "disabled" and self.disability_category:
                    label += f"({self.get_disability_category_display()}{self.get_disability_grade_display()})"
                elif field == "extreme_poverty" and self.support_mode:
                    label += f"({self.get_support_mode_display()})"
                out.append(label)
        return out

    @property
    def carer_label(self) -> str:
        who = self.carer_user or self.carer_volunteer
        if who is None:
            return ""
        return f"{who}({self.get_carer_role_display()})" if self.carer_role else str(who)


class Rule(dated_parameter("参数", max_digits=5, decimal_places=0)):
    """The county's visit intervals by risk level (days), valid from a date: key `visit_days:<risk>:<county code>`."""

    class Meta(DatedParameter.Meta):
        verbose_name = "走访周期"
        verbose_name_plural = "走访周期"
        constraints = [models.UniqueConstraint(fields=["key", "valid_from"], name="care_rule_unique")]


class VisitMode(models.TextChoices):
    HOME = "home", "入户"
    PHONE = "phone", "电话"
    VIDEO = "video", "视频"


class Visit(models.Model):
    person = models.ForeignKey(Person, verbose_name="关爱对象", on_delete=models.PROTECT, related_name="visits")
    date = models.DateField("走访日期")
    mode = models.CharField("走访方式", max_length=10, choices=VisitMode.choices)
    findings = models.TextField("走访情况", max_length=2000)
    needs = models.TextField("需求", max_length=1000, blank=True)
    follow_up = models.TextField("后续跟进", max_length=1000, blank=True)
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="走访人", null=True, on_delete=models.PROTECT,
                                related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("person__village__path",)

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_mode_display()}走访"


class ReferralStatus(models.TextChoices):
    OPEN = "open", "办理中"
    CLOSED = "closed", "已办结"


class Referral(models.Model):
    """A case passed to a body (教育局, 卫健局, 残联, 派出所 …) to act on, tracked to closure by that body's users."""

    person = models.ForeignKey(Person, verbose_name="关爱对象", on_delete=models.PROTECT, related_name="referrals")
    body = models.ForeignKey("bodies.Body", verbose_name="转介机构", on_delete=models.PROTECT, related_name="+")
    need = models.CharField("转介事项", max_length=300)
    deadline = models.DateField("办理期限")
    status = models.CharField("状态", max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.OPEN,
                              db_index=True)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="转介人", null=True,
                                    on_delete=models.PROTECT, related_name="+")
    referred_on = models.DateField("转介日期", default=dt.date.today)
    outcome = models.TextField("办理结果", max_length=1000, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办结人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    closed_on = models.DateField("办结日期", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("person__village__path",)

    class Meta:
        verbose_name = "转介"
        verbose_name_plural = "转介"
        ordering = ["status", "deadline", "pk"]

    def __str__(self):
        return f"转介{self.body}:{self.need[:20]}"

    @property
    def handling_body(self):
        """The body that carries the referral today (a closed body's successor)."""
        return self.body.final_successor()

    def overdue(self, on: dt.date | None = None) -> bool:
        return self.status == ReferralStatus.OPEN and (on or dt.date.today()) > self.deadline
