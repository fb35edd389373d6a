from django.apps import AppConfig


class Config(AppConfig):
    name = "xiangcun.core"
    label = "core"
