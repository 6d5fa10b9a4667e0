from django.apps import AppConfig


class MtoConfig(AppConfig):
    name = "mto"
    verbose_name = "MTO platform"
