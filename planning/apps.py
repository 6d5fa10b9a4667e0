from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = "Planning"

    def ready(self):
        from . import panels, receivers  # noqa: F401 - connect the handlers of jobs' signals

        panels.register_panels()
