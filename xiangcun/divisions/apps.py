from django.apps import AppConfig


class Config(AppConfig):
    verbose_name = "区划"
    name = "xiangcun.divisions"
    label = "divisions"

    def ready(self):
        from . import jobs  # noqa: F401  (registers the job kinds)
