from .permissions import may_read_admissions, may_read_staff

SECTIONS = [
    (13, "乡镇治理", [
        ("governance:lists", "权责清单", None),
        ("governance:admissions", "事项准入", may_read_admissions),
        ("governance:delegations", "扩权赋能", None),
        ("governance:enforcement", "乡镇执法", None),
        ("governance:staffing", "定岗定责定人", may_read_staff),
        ("governance:placement", "撤并人员安置", may_read_staff),
    ]),
]
