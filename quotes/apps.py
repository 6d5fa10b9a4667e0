from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "quotes"
    verbose_name = "Quotes"

    def ready(self):
        from . import receivers  # noqa: F401 - answers jobs.signals.routing_for_lines
        from .panels import register_panels

        register_panels()  # the quote an order came from, on the order's page
