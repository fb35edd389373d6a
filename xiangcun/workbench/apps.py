from django.apps import AppConfig


class Config(AppConfig):
    """The top floor: the pages and commands that bring the domain apps together (the 工作台 home page,
    the audit log, a record's whole history, `xiangcun demo`). Nothing imports it; core imports no domain app."""

    name = "xiangcun.workbench"
    label = "workbench"
