from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "purchasing"
    verbose_name = "Purchasing"

    def ready(self):
        from . import panels, receivers  # noqa: F401 - receivers answer jobs' signals

        panels.register_panels()  # the job page's material, outside operations and cost panels
