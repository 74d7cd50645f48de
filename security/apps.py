from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "security"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from security import admin_login  # noqa: F401  (audits Django admin logins)
        from security import checks  # noqa: F401  (registers the system checks)
        from security import schema  # noqa: F401  (registers the X-Api-Key scheme with drf-spectacular)
        from engine import health, lifespan
        from security import key_use, master_key

        health.register(master_key.warnings)
        lifespan.on_shutdown(key_use.flush)
