from django.apps import AppConfig


class Config(AppConfig):
    name = "xiangcun.accounts"
    label = "accounts"
