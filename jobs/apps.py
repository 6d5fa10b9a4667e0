from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Jobs"

    def ready(self):
        from . import dashboard, notifications, receivers  # noqa: F401 - connect the handlers of sales' and our signals
