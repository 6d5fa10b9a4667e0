from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = "Quality"

    def ready(self):
        from . import panels, receivers, trace_panels  # noqa: F401 - receivers answer jobs' signals

        panels.register_panels()  # the job page's and the floor job screen's quality panels
        trace_panels.register_panels()  # the shipment page's trace and certificate pack
