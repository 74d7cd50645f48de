from django.apps import AppConfig


class IntercomConfig(AppConfig):
    name = "intercom"
