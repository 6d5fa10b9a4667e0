from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = "Quality"

    def ready(self):
        from . import panels, receivers  # noqa: F401 - receivers answer jobs' signals

        panels.register_panels()  # the job page's and the floor job screen's quality panels
