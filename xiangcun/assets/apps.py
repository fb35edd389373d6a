from django.apps import AppConfig


class Config(AppConfig):
    name = "xiangcun.assets"
    label = "assets"
    verbose_name = "公有资产"
