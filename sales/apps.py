from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = "Sales"

    def ready(self):
        from . import dashboard, notifications  # noqa: F401 - home widgets; outbox writers on sales' signals
