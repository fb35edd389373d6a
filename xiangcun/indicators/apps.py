from django.apps import AppConfig


class Config(AppConfig):
    name = "xiangcun.indicators"
    label = "indicators"
    verbose_name = "指标与考核"
