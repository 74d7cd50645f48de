from django.apps import AppConfig


class IntercomConfig(AppConfig):
    name = "intercom"

    def ready(self):
        from intercom.revocation import close_connections_of_revoked_keys
        from security.signals import keys_revoked

        keys_revoked.connect(close_connections_of_revoked_keys, dispatch_uid="intercom.revocation")
