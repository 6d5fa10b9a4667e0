from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Jobs"

    def ready(self):
        from . import notifications, receivers  # noqa: F401 - connect the handlers of sales' and our signals
        from .panels import register_panels

        register_panels()  # widgets on the home page, the jobs panel of the order page
