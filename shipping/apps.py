from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "shipping"
    verbose_name = "Shipping"

    def ready(self):
        from . import dashboard, notifications, receivers  # noqa: F401 - outbox writers; panels on order and job pages
