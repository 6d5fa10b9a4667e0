from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = "Sales"

    def ready(self):
        from . import notifications  # noqa: F401 - connects the outbox writers to sales' signals
