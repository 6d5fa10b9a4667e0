from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "purchasing"
    verbose_name = "Purchasing"

    def ready(self):
        from . import panels, receivers  # noqa: F401

        panels.register_panels()
