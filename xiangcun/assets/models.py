"""Public assets of merged units (公有资产台账): the ledger, inventory campaigns, revitalisation plans.

An Asset hangs on its original holder (原权属单位, often a unit abolished in the reform) and on its
custodian (现管护单位): the current unit that took the holder over, resolved through the division
lineage (`services.resolve_custodian`). Both are kept, so the ledger reads "卓克基镇的资产,现由
马尔康镇管护". Status changes only through `services.transition`, each a named audit event.
"""
from django.conf import settings
from django.db import models

from xiangcun.core.ledger import LedgerModel, LiveManager
from xiangcun.divisions.scoping import ScopedLedgerQuerySet, ScopedQuerySet, scope_paths


class Category(models.TextChoices):
    OFFICE = "office", "办公用房"
    SCHOOL = "school", "学校校舍"
    CLINIC = "clinic", "卫生院/室用房"
    VILLAGE_HALL = "village_hall", "村级活动场所"
    OTHER_BUILDING = "other_building", "其他房屋"
    LAND = "land", "土地"
    EQUIPMENT = "equipment", "设备"
    VEHICLE = "vehicle", "车辆"
    OTHER = "other", "其他"


BUILDINGS = (Category.OFFICE, Category.SCHOOL, Category.CLINIC, Category.VILLAGE_HALL, Category.OTHER_BUILDING)


class Status(models.TextChoices):
    PENDING = "pending", "待清查"
    CHECKED = "checked", "已清查"
    IN_USE = "in_use", "在用"
    IDLE = "idle", "闲置"
    PLAN_APPROVED = "plan_approved", "盘活方案已批"
    REVITALISED = "revitalised", "已盘活"
    DISPOSED = "disposed", "已处置"


class Condition(models.TextChoices):
    GOOD = "good", "良好"
    FAIR = "fair", "一般"
    POOR = "poor", "较差"
    DANGEROUS = "dangerous", "危房/报废"


class ValuationMethod(models.TextChoices):
    BOOK = "book", "账面价值"
    MARKET = "market", "市场法"
    COST = "cost", "成本法"
    INCOME = "income", "收益法"
    APPRAISAL = "appraisal", "第三方评估"


class Nature(models.TextChoices):
    """产权性质: who the asset belongs to in law, distinct from who looks after it."""
    STATE_ADMIN = "state_admin", "国有-行政事业"
    STATE_ENTERPRISE = "state_enterprise", "国有-国有企业"
    COLLECTIVE_VILLAGE = "collective_village", "集体-村级"
    COLLECTIVE_GROUP = "collective_group", "集体-组级"
    UNVERIFIED = "unverified", "待核实"


STATE_NATURES = (Nature.STATE_ADMIN, Nature.STATE_ENTERPRISE)
COLLECTIVE_NATURES = (Nature.COLLECTIVE_VILLAGE, Nature.COLLECTIVE_GROUP)


class Funding(models.TextChoices):
    """The fiscal or poverty-alleviation funding that formed an asset (it restricts what may be done with it)."""
    POVERTY = "poverty", "扶贫项目资产"
    LINKAGE = "linkage", "财政衔接资金"
    FISCAL = "fiscal", "一般财政资金"
    COLLECTIVE = "collective", "集体自有资金"
    DONATION = "donation", "社会捐赠"
    OTHER = "other", "其他"


class AssetManager(LiveManager.from_queryset(ScopedLedgerQuerySet)):
    pass


class Asset(LedgerModel):
    ledger_no = models.CharField("资产编号", max_length=40, unique=True)
    name = models.CharField("资产名称", max_length=100)
    category = models.CharField("资产类别", max_length=20, choices=Category.choices, db_index=True)
    holder = models.ForeignKey("divisions.Division", verbose_name="原权属单位", on_delete=models.PROTECT,
                               related_name="held_assets")
    custodian = models.ForeignKey("divisions.Division", verbose_name="现管护单位", on_delete=models.PROTECT,
                                  related_name="custody_assets")
    # The holder's and the custodian's current division paths, copied here so that scoping and
    # statistics are index range scans on the ledger itself, not ORs across two joins. save() sets
    # them; a division whose path changes (隶属变更, or a unit moved under a merger's successor)
    # updates them through the follow-hook `services.follow_path` (see divisions/follow.py). Not
    # audited: derived data.
    holder_path = models.CharField(max_length=120, db_index=True, editable=False, default="")
    custodian_path = models.CharField(max_length=120, db_index=True, editable=False, default="")
    address = models.CharField("坐落地址", max_length=200, blank=True)
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    floor_area = models.DecimalField("建筑面积(㎡)", max_digits=12, decimal_places=2, null=True, blank=True)
    land_area = models.DecimalField("占地面积(㎡)", max_digits=12, decimal_places=2, null=True, blank=True)
    built_year = models.PositiveSmallIntegerField("建成年份", null=True, blank=True)
    acquired_on = models.DateField("取得日期", null=True, blank=True)
    book_value = models.DecimalField("账面价值(元)", max_digits=14, decimal_places=2, null=True, blank=True)
    valuation = models.DecimalField("评估价值(元)", max_digits=14, decimal_places=2, null=True, blank=True)
    valuation_date = models.DateField("评估日期", null=True, blank=True)
    valuation_method = models.CharField("评估方法", max_length=20, choices=ValuationMethod.choices, blank=True)
    property_cert = models.CharField("房产证号", max_length=60, blank=True)
    land_cert = models.CharField("土地证号", max_length=60, blank=True)
    condition = models.CharField("现状", max_length=20, choices=Condition.choices, default=Condition.FAIR)
    # property rights (产权): nature and owner, distinct from the custodian; 待核实 until a person checks it
    nature = models.CharField("产权性质", max_length=20, choices=Nature.choices, default=Nature.UNVERIFIED, db_index=True)
    owner_body = models.ForeignKey("bodies.Body", verbose_name="产权单位(机构)", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="owned_assets")
    owner_organisation = models.ForeignKey("collective.Organisation", verbose_name="产权单位(集体经济组织)", null=True,
                                           blank=True, on_delete=models.PROTECT, related_name="owned_assets")
    funding = models.CharField("形成资金来源", max_length=20, choices=Funding.choices, blank=True)
    restricted = models.BooleanField("处置受限", default=False,
                                     help_text="扶贫项目资产等在监管期内不得出售、抵押(只能出租或改作公益用途)")
    valuer = models.CharField("评估机构", max_length=100, blank=True)
    valuer_registration = models.CharField("评估机构备案编号", max_length=60, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    status_since = models.DateField("状态起始日期", null=True, blank=True)
    note = models.CharField("备注", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssetManager()
    all_with_deleted = models.Manager.from_queryset(ScopedLedgerQuerySet)()
    scope_fields = ("holder_path", "custodian_path")  # seen where it was held and where it is looked after

    division_field = "custodian"

    class Meta:
        verbose_name = "公有资产"
        verbose_name_plural = "公有资产"
        ordering = ["ledger_no"]
        indexes = [
            models.Index(fields=["status", "category"], name="asset_status_category"),
            models.Index(fields=["custodian", "status"], name="asset_custodian_status"),
            models.Index(fields=["status", "status_since"], name="asset_status_since"),  # long idle
        ]
        constraints = [
            # exactly one owner (a body or a collective organisation) unless the nature is still to be verified
            models.CheckConstraint(
                condition=models.Q(nature="unverified")
                | models.Q(owner_body__isnull=False, owner_organisation__isnull=True)
                | models.Q(owner_body__isnull=True, owner_organisation__isnull=False),
                name="asset_one_owner_unless_unverified"),
        ]

    def __str__(self):
        return f"{self.ledger_no} {self.name}"

    def save(self, *args, **kwargs):
        fields = kwargs.get("update_fields")
        for name in ("holder", "custodian"):
            if fields is None or name in fields or f"{name}_id" in fields:
                setattr(self, f"{name}_path", getattr(self, name).path if getattr(self, f"{name}_id") else "")
                if fields is not None and f"{name}_path" not in fields:
                    fields = [*fields, f"{name}_path"]
        if fields is not None:
            kwargs["update_fields"] = fields
        super().save(*args, **kwargs)

    @property
    def owner(self):
        return self.owner_body or self.owner_organisation

    @property
    def is_state(self) -> bool:
        return self.nature in STATE_NATURES

    @property
    def is_collective(self) -> bool:
        return self.nature in COLLECTIVE_NATURES

    @property
    def is_building(self) -> bool:
        return self.category in BUILDINGS

    @property
    def custody_moved(self) -> bool:
        return self.holder_id != self.custodian_id


def attachment_path(instance, filename):
    return f"assets/{instance.asset_id}/{filename}"


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", "照片"
    CERTIFICATE = "certificate", "权证扫描件"
    VALUATION = "valuation", "评估报告"
    OTHER = "other", "其他"


class Attachment(models.Model):
    asset = models.ForeignKey(Asset, verbose_name="资产", on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField("类型", max_length=20, choices=AttachmentKind.choices, default=AttachmentKind.PHOTO)
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    name = models.CharField("文件名", max_length=120)
    size = models.PositiveIntegerField("大小(字节)", default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "资产附件"
        verbose_name_plural = "资产附件"
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.name


# --- inventory campaigns (清查核实) ------------------------------------------------------------------

class CampaignQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Campaigns whose scope lies in the user's scope, and those that cover the user's own jurisdiction
        (a county's campaign is its townships' work too)."""
        if scope_paths(user) is None or not user.jurisdiction_id:
            return super().visible_to(user)
        return super().visible_to(user) | self.filter(scope_id__in=user.jurisdiction.depth_ids)


class Campaign(models.Model):
    name = models.CharField("清查名称", max_length=100)
    scope = models.ForeignKey("divisions.Division", verbose_name="清查范围", on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField("清查基准日")
    deadline = models.DateField("完成期限", null=True, blank=True)
    closed = models.BooleanField("已结束", default=False)
    summary = models.TextField("清查结论", blank=True)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签发人", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    signed_off_at = models.DateTimeField("签发时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()
    scope_fields = ("scope__path",)

    class Meta:
        verbose_name = "清查核实"
        verbose_name_plural = "清查核实"
        ordering = ["-as_of", "-id"]

    def __str__(self):
        return self.name


class CheckResult(models.TextChoices):
    FOUND = "found", "账实相符"
    CHANGED = "changed", "有变化"
    NOT_FOUND = "not_found", "未找到"


class Check(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="checks")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="checks")
    result = models.CharField("核实结果", max_length=20, choices=CheckResult.choices)
    found_floor_area = models.DecimalField("实测建筑面积(㎡)", max_digits=12, decimal_places=2, null=True, blank=True)
    found_condition = models.CharField("实际现状", max_length=20, choices=Condition.choices, blank=True)
    note = models.CharField("核实说明", max_length=300, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核实人", null=True,
                                   on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField("核实时间", auto_now=True)

    class Meta:
        verbose_name = "资产核实"
        verbose_name_plural = "资产核实"
        constraints = [models.UniqueConstraint(fields=["campaign", "asset"], name="one_check_per_asset")]

    def __str__(self):
        return f"{self.asset}:{self.get_result_display()}"

    @property
    def is_discrepancy(self) -> bool:
        return self.result != CheckResult.FOUND


# --- revitalisation plans (盘活方案) -----------------------------------------------------------------

class Route(models.TextChoices):
    PUBLIC_USE = "public_use", "改作公益用房"
    INDUSTRY = "industry", "支持产业发展"
    SALE = "sale", "市场化处置变现"
    STATE_CAPITAL = "state_capital", "补充国有资本"


class PublicUse(models.TextChoices):
    SERVICE_POINT = "service_point", "便民服务点"
    KINDERGARTEN = "kindergarten", "幼儿园"
    ELDERLY_CARE = "elderly_care", "养老服务站"
    EMERGENCY_STORE = "emergency_store", "应急物资储备"
    CULTURE = "culture", "文化活动室"
    OTHER = "other", "其他公益用途"


class Venue(models.TextChoices):
    STATE_EXCHANGE = "state_exchange", "产权交易机构公开进场交易"
    RURAL_EXCHANGE = "rural_exchange", "农村产权交易平台"
    AGREEMENT = "agreement", "协议方式"


class PlanStatus(models.TextChoices):
    PROPOSED = "proposed", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"
    DONE = "done", "已实施"
    CANCELLED = "cancelled", "已撤销"


class PlanQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Plans of the user's assets; a deleted asset's plans are gone with it (as from the ledger)."""
        return super().visible_to(user).filter(asset__is_deleted=False)


class Plan(models.Model):
    asset = models.ForeignKey(Asset, verbose_name="资产", on_delete=models.PROTECT, related_name="plans")
    route = models.CharField("盘活途径", max_length=20, choices=Route.choices)
    status = models.CharField("方案状态", max_length=20, choices=PlanStatus.choices, default=PlanStatus.PROPOSED)
    # 改作公益用房
    new_use = models.CharField("新用途", max_length=20, choices=PublicUse.choices, blank=True)
    # 支持产业发展
    lessee = models.CharField("承租方/使用方", max_length=100, blank=True)
    annual_rent = models.DecimalField("年租金(元)", max_digits=14, decimal_places=2, null=True, blank=True)
    term_start = models.DateField("租期起", null=True, blank=True)
    term_end = models.DateField("租期止", null=True, blank=True)
    # 市场化处置变现
    buyer = models.CharField("受让方", max_length=100, blank=True)
    sale_price = models.DecimalField("成交价格(元)", max_digits=14, decimal_places=2, null=True, blank=True)
    # 补充国有资本
    recipient = models.CharField("接收国有企业", max_length=100, blank=True)
    transfer_value = models.DecimalField("注入价值(元)", max_digits=14, decimal_places=2, null=True, blank=True)
    # common
    planned_date = models.DateField("计划完成日期", null=True, blank=True)
    approval_document = models.CharField("批复文号", max_length=100, blank=True)
    responsible_unit = models.ForeignKey("divisions.Division", verbose_name="责任单位", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    description = models.CharField("方案说明", max_length=500, blank=True)
    justification = models.CharField("低于评估价或特殊情况说明", max_length=500, blank=True)
    # how a lease or disposal was decided and carried out, by the asset's nature (services.check_procedure)
    approving_body = models.ForeignKey("bodies.Body", verbose_name="审批机构", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    venue = models.CharField("交易方式", max_length=20, choices=Venue.choices, blank=True)
    transaction_ref = models.CharField("挂牌/成交编号", max_length=60, blank=True)
    proposed_on = models.DateField("四议:党组织提议", null=True, blank=True)
    reviewed_on = models.DateField("四议:两委会议商议", null=True, blank=True)
    party_meeting_on = models.DateField("四议:党员大会审议", null=True, blank=True)
    villagers_meeting_on = models.DateField("四议:村民(代表)会议决议", null=True, blank=True)
    resolution_published_on = models.DateField("两公开:决议公开", null=True, blank=True)
    result_published_on = models.DateField("两公开:实施结果公开", null=True, blank=True)
    outcome_date = models.DateField("实施日期", null=True, blank=True)
    outcome_note = models.CharField("实施情况", max_length=500, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提出人", null=True,
                                    on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlanQuerySet.as_manager()
    scope_fields = ("asset__holder_path", "asset__custodian_path")

    class Meta:
        verbose_name = "盘活方案"
        verbose_name_plural = "盘活方案"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["route", "status", "outcome_date"], name="plan_route_status")]

    def __str__(self):
        return f"{self.asset.name}:{self.get_route_display()}"

    @property
    def headline(self) -> str:
        """The plan in one line: the route and its key figure."""
        if self.route == Route.PUBLIC_USE:
            return f"改作{self.get_new_use_display() or '公益用房'}"
        if self.route == Route.INDUSTRY:
            rent = f",年租金 {self.annual_rent:,.0f} 元" if self.annual_rent is not None else ""
            return f"出租给{self.lessee or '—'}{rent}"
        if self.route == Route.SALE:
            price = f",{self.sale_price:,.0f} 元" if self.sale_price is not None else ""
            return f"出售给{self.buyer or '—'}{price}"
        value = f",{self.transfer_value:,.0f} 元" if self.transfer_value is not None else ""
        return f"注入{self.recipient or '—'}{value}"
