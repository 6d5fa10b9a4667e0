from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "shipping"
    verbose_name = "Shipping"

    def ready(self):
        from . import notifications, receivers  # noqa: F401 - outbox writers; following order changes
        from .panels import register_panels

        register_panels()  # widgets on the home page, panels on the order and job pages
