from django.apps import AppConfig


class Config(AppConfig):
    name = "xiangcun.core"
    label = "core"

    def ready(self):
        from . import bounds, excel_views, workers  # noqa: F401  (they register the "ping" and import job kinds)

        bounds.install()  # every numeric/date column's range, for forms, API and imports alike
        name_third_party_apps()


# The Django admin lists these libraries' tables under their own English names; the people who open it read Chinese.
THIRD_PARTY_NAMES = {
    "axes": ("登录锁定", {"accessattempt": "登录失败记录", "accessfailurelog": "登录失败日志", "accesslog": "登录日志",
                          "accessattemptexpiration": "锁定到期时间"}),
    "django_tasks_database": ("后台任务队列", {"dbtaskresult": "任务执行结果"}),
    "django_tasks": ("后台任务", {}),
}


def name_third_party_apps() -> None:
    from django.apps import apps

    for label, (app_name, models) in THIRD_PARTY_NAMES.items():
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        config.verbose_name = app_name
        for model in config.get_models():
            name = models.get(model._meta.model_name)
            if name:
                model._meta.verbose_name = model._meta.verbose_name_plural = name
