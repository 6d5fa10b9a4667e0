from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = "Sales"

    def ready(self):
        from . import notifications  # noqa: F401 - outbox writers on sales' signals
        from .panels import register_panels

        register_panels()  # widgets on the home page
