"""The platform's roles: the vocabulary every module's permission predicates speak.

A user (accounts.User) has one role and a jurisdiction; what each role may do is declared by each app's
permissions.py. The roles live here, on the ground floor, so that any app can name them without importing
the accounts app (accounts.models re-exports Role)."""
from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    REFORM_OFFICE = "reform_office", "县(市)两项改革办"
    DEPARTMENT = "department", "县级部门"
    TOWNSHIP = "township", "乡镇工作人员"
    VILLAGE_AGENT = "village_agent", "村代办员"
    ANALYST = "analyst", "只读分析员"
