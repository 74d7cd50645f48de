from django.apps import AppConfig


class EngineConfig(AppConfig):
    name = "engine"

    def ready(self):
        from engine import checks  # noqa: F401  (registers the scale-out system checks)
