from django.apps import AppConfig


class Config(AppConfig):
    name = "xiangcun.facilities"
    label = "facilities"
    verbose_name = "设施布局"
