from django.apps import AppConfig


class StudioSettingsConfig(AppConfig):
    name = "studio_settings"
    verbose_name = "Studio settings"
