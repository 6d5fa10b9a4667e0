from django.apps import AppConfig


class MtoConfig(AppConfig):
    name = "mto"
    verbose_name = "MTO platform"

    def ready(self):
        from . import lookups  # noqa: F401  (registers field__any)
