from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "purchasing"
    verbose_name = "Purchasing"

    def ready(self):
        from . import panels_outside, receivers_outside  # noqa: F401

        panels_outside.register_panels()
