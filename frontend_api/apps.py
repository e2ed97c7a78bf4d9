from django.apps import AppConfig


class FrontendApiConfig(AppConfig):
    verbose_name = "Headless API"
    name = "frontend_api"
