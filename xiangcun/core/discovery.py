"""Finding what each xiangcun app contributes: its permissions.py, nav.py, api.py, demo.py …"""
import importlib

from django.apps import apps


def app_modules(name: str):
    """Yield `xiangcun.<app>.<name>` for every installed xiangcun app that has one, in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        if not config.name.startswith("xiangcun."):
            continue
        dotted = f"{config.name}.{name}"
        try:
            yield importlib.import_module(dotted)
        except ModuleNotFoundError as exc:
            if exc.name != dotted:
                raise  # the module exists but imports something missing: a real error
