"""The workbench pages' cases for the permission matrix (see core/tests/matrix.py)."""
from xiangcun.core.tests.matrix import Case

CASES = {
    "workbench:audit_history": Case(obj="division", kwargs={"model": "divisions.division"}),
}
