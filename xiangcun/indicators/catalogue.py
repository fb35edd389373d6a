"""The seeded catalogue: every item the county speech names, as data elements and computed indicators.

`seed(DataElement)` creates the elements whose code is missing and leaves existing ones alone, so
the county's edits survive; the data migration and the demo both call it.
"""
# (code, name, unit, value_type, level, aggregation, category, extra)
V, T = 5, 4
ELEMENTS = [
    # 基本情况 (weights and denominators)
    ("POP", "户籍人口", "人", "number", V, "sum", "basic", {"min_value": 0}),
    ("HOUSEHOLDS", "户籍户数", "户", "number", V, "sum", "basic", {"min_value": 0}),
    # 规划编制: 乡镇国土空间总体规划 and "多规合一"实用性村庄规划
    ("PLAN_TOWNSHIP", "乡镇国土空间总体规划已编制", "", "bool", T, "count_yes", "planning", {}),
    ("PLAN_TOWNSHIP_RATE", "乡镇国土空间规划编制率", "%", "percent", T, "none", "planning",
     {"formula": "100 * PLAN_TOWNSHIP / N_TOWNSHIPS", "is_key": True}),
    ("PLAN_VILLAGE", "“多规合一”实用性村庄规划已编制", "", "bool", V, "count_yes", "planning", {}),
    ("PLAN_VILLAGE_RATE", "村庄规划编制率", "%", "percent", V, "none", "planning",
     {"formula": "100 * PLAN_VILLAGE / N_VILLAGES", "is_key": True}),
    # 基础设施: 道路、供水、电网、通信
    ("ROAD_HARD", "通硬化路", "", "bool", V, "count_yes", "infrastructure", {}),
    ("ROAD_HARD_RATE", "硬化路通达率", "%", "percent", V, "none", "infrastructure",
     {"formula": "100 * ROAD_HARD / N_VILLAGES", "is_key": True}),
    ("ROAD_KM", "村道硬化里程", "公里", "number", V, "sum", "infrastructure", {"min_value": 0}),
    ("WATER_TAP_RATE", "自来水普及率", "%", "percent", V, "weighted_mean", "infrastructure",
     {"weight": "POP", "min_value": 0, "max_value": 100, "is_key": True}),
    ("WATER_SAFE", "农村饮水安全达标", "", "bool", V, "share_yes", "infrastructure", {}),
    ("GRID_UPGRADED", "完成农村电网改造", "", "bool", V, "count_yes", "infrastructure", {}),
    ("BROADBAND", "通光纤宽带", "", "bool", V, "count_yes", "infrastructure", {}),
    ("G5", "5G 网络覆盖", "", "bool", V, "count_yes", "infrastructure", {}),
    ("G5_RATE", "5G 网络覆盖率", "%", "percent", V, "none", "infrastructure",
     {"formula": "100 * G5 / N_VILLAGES"}),
    # 人居环境: 厕所革命、垃圾、污水
    ("TOILET_HH", "卫生厕所户数", "户", "number", V, "sum", "environment", {"min_value": 0}),
    ("TOILET_RATE", "卫生厕所普及率", "%", "percent", V, "none", "environment",
     {"formula": "100 * TOILET_HH / HOUSEHOLDS", "is_key": True}),
    ("GARBAGE", "生活垃圾收运处置体系覆盖", "", "bool", V, "count_yes", "environment", {}),
    ("GARBAGE_RATE", "生活垃圾收运处置覆盖率", "%", "percent", V, "none", "environment",
     {"formula": "100 * GARBAGE / N_VILLAGES"}),
    ("SEWAGE", "生活污水得到有效治理", "", "bool", V, "count_yes", "environment", {}),
    ("SEWAGE_RATE", "生活污水治理率", "%", "percent", V, "none", "environment",
     {"formula": "100 * SEWAGE / N_VILLAGES"}),
    # 农房安全: 地质灾害和山洪安全排查
    ("HOUSE_CHECKED", "完成地灾和山洪安全排查的农房", "户", "number", V, "sum", "safety", {"min_value": 0}),
    ("HOUSE_HAZARD", "排查出安全隐患的农房", "户", "number", V, "sum", "safety", {"min_value": 0}),
    ("HOUSE_FIXED", "已整治的隐患农房", "户", "number", V, "sum", "safety", {"min_value": 0}),
    ("HOUSE_FIX_RATE", "隐患农房整治率", "%", "percent", V, "none", "safety",
     {"formula": "100 * HOUSE_FIXED / HOUSE_HAZARD"}),
    # 特色产业: 乡村旅游、电商、现代农业园区
    ("TOUR_VISITS", "乡村旅游接待人次", "万人次", "number", V, "sum", "industry", {"min_value": 0}),
    ("TOUR_INCOME", "乡村旅游收入", "万元", "number", V, "sum", "industry", {"min_value": 0, "is_key": True}),
    ("ECOM_SITES", "电商服务站点", "个", "number", V, "sum", "industry", {"min_value": 0}),
    ("ECOM_SALES", "农村电商销售额", "万元", "number", T, "sum", "industry", {"min_value": 0}),
    ("AGRI_PARKS", "现代农业园区", "个", "number", T, "sum", "industry", {"min_value": 0}),
    ("AGRI_PARK_GRADE", "现代农业园区最高等级", "", "choice", T, "none", "industry",
     {"choices": ["无", "县级", "州级", "省级", "国家级"]}),
    ("LEAD_INDUSTRY", "主导特色产业", "", "text", V, "none", "industry", {}),
    # 集体经济 (synced from the collective-economy ledger)
    ("CE_TOTAL_INCOME", "村集体经济总收入", "万元", "number", V, "sum", "collective", {"source": "collective"}),
    ("CE_OPERATING_INCOME", "村集体经营性收入", "万元", "number", V, "sum", "collective",
     {"source": "collective", "is_key": True}),
    ("CE_NET_ASSETS", "村集体净资产", "万元", "number", V, "sum", "collective", {"source": "collective"}),
    ("CE_HOLLOW", "空壳村", "", "bool", V, "count_yes", "collective",
     {"source": "collective", "higher_is_better": False}),
    ("CE_WEAK", "薄弱村", "", "bool", V, "count_yes", "collective",
     {"source": "collective", "higher_is_better": False}),
    ("CE_SHARE_COOP", "已成立股份经济合作社", "", "bool", V, "count_yes", "collective", {"source": "collective"}),
    # from the public-asset ledger: rent of collective assets leased for industry (支持产业发展)
    ("CE_ASSET_RENT", "村集体公有资产出租收入", "万元", "number", V, "sum", "collective", {"source": "assets"}),
    ("CE_HOLLOW_RATE", "空壳村占比", "%", "percent", V, "none", "collective",
     {"formula": "100 * CE_HOLLOW / N_VILLAGES", "higher_is_better": False, "is_key": True}),
    # 人才回引: 农民工回引和培训
    ("MIGRANT_BACK", "农民工回引人数", "人", "number", V, "sum", "talent", {"min_value": 0, "is_key": True}),
    ("MIGRANT_TRAINED", "农民工技能培训", "人次", "number", V, "sum", "talent", {"min_value": 0}),
    ("RETURN_BUSINESS", "返乡创业人数", "人", "number", V, "sum", "talent", {"min_value": 0}),
    ("BACKBONE_CADRE", "回引优秀农民工任村“两委”干部", "人", "number", V, "sum", "talent", {"min_value": 0}),
    # 经营主体: 家庭农场、合作社
    ("FAMILY_FARMS", "家庭农场", "个", "number", V, "sum", "agriculture", {"min_value": 0, "is_key": True}),
    ("COOPERATIVES", "农民专业合作社", "个", "number", V, "sum", "agriculture", {"min_value": 0}),
]

# Part ≤ whole, for the same unit and period: (part code, whole code). Entry and import refuse a part
# above its whole; a rate built from such a pair then stays within 100 %.
RELATIONS = [
    ("TOILET_HH", "HOUSEHOLDS"),        # 卫生厕所户数 ≤ 户籍户数
    ("HOUSE_CHECKED", "HOUSEHOLDS"),    # 排查的农房 ≤ 户籍户数
    ("HOUSE_HAZARD", "HOUSE_CHECKED"),  # 排查出隐患的 ≤ 排查的
    ("HOUSE_FIXED", "HOUSE_HAZARD"),    # 已整治的 ≤ 排查出隐患的
]


def seed_relations(DataElement, codes=None) -> int:
    """Set the catalogue's part ≤ whole relations on the parts among `codes` (None: all) that have none."""
    if not any(f.name == "not_above" for f in DataElement._meta.get_fields()):
        return 0  # a migration's model from before the relation existed
    by_code = {e.code: e for e in DataElement.objects.filter(code__in={c for pair in RELATIONS for c in pair})}
    changed = 0
    for part, whole in RELATIONS:
        if (codes is None or part in codes) and part in by_code and whole in by_code and by_code[part].not_above_id is None:
            by_code[part].not_above = by_code[whole]
            by_code[part].save(update_fields=["not_above"])
            changed += 1
    return changed


def seed(DataElement) -> int:
    """Create the catalogue's missing elements (works with the real model or a migration's)."""
    existing = set(DataElement.objects.values_list("code", flat=True))
    created = 0
    new = set()
    by_code = {e.code: e for e in DataElement.objects.all()}
    for order, (code, name, unit, vtype, level, agg, category, extra) in enumerate(ELEMENTS, start=1):
        if code in existing:
            continue
        extra = dict(extra)
        weight = extra.pop("weight", None)
        element = DataElement.objects.create(
            code=code, name=name, unit=unit, value_type=vtype, level=level, aggregation=agg, category=category,
            order=order * 10, weight=by_code.get(weight) if weight else None,
            max_value=extra.pop("max_value", 100 if vtype == "percent" and not extra.get("formula") else None),
            **extra)
        by_code[code] = element
        created += 1
        new.add(code)
    seed_relations(DataElement, new)
    return created


def seed_quietly(DataElement) -> int:
    """`seed` into an empty catalogue with bulk writes (no per-row signals, so no audit entries): what a
    flushed database gets back after `flush`'s post_migrate (indicators.apps.seed_empty_catalogue)."""
    rows = []
    for order, (code, name, unit, vtype, level, agg, category, extra) in enumerate(ELEMENTS, start=1):
        extra = dict(extra)
        weight = extra.pop("weight", None)
        rows.append((weight, DataElement(
            code=code, name=name, unit=unit, value_type=vtype, level=level, aggregation=agg, category=category,
            order=order * 10,
            max_value=extra.pop("max_value", 100 if vtype == "percent" and not extra.get("formula") else None),
            **extra)))
    DataElement.objects.bulk_create([element for _, element in rows])
    by_code = {e.code: e.pk for e in DataElement.objects.all()}
    for weight, element in rows:
        if weight:
            DataElement.objects.filter(code=element.code).update(weight=by_code[weight])
    for part, whole in RELATIONS:
        if part in by_code and whole in by_code:
            DataElement.objects.filter(code=part, not_above__isnull=True).update(not_above=by_code[whole])
    return len(rows)
