from django.apps import AppConfig


class Config(AppConfig):
    name = "xiangcun.services"
    label = "services"  # the app of 便民服务; not to be confused with each app's services.py
    verbose_name = "便民服务"
