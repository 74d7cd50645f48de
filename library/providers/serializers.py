from rest_framework import serializers

from engine.api import StrictSerializer


class ProviderSerializer(serializers.Serializer):
    name = serializers.CharField()
    enabled = serializers.BooleanField()
    weight = serializers.FloatField()
    secret_configured = serializers.BooleanField()
    reachable = serializers.BooleanField(allow_null=True)
    last_checked = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True)


class ProviderUpdateSerializer(StrictSerializer):
    enabled = serializers.BooleanField(required=False)
    weight = serializers.FloatField(required=False, min_value=0.0, max_value=10.0)


class SecretSerializer(serializers.Serializer):
    configured = serializers.BooleanField()
    value = serializers.CharField(allow_null=True)


class TextField(serializers.CharField):
    """A JSON string and nothing else: a number is not an API key someone meant to send."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class SecretUpdateSerializer(StrictSerializer):
    # No trimming or length rule here: the secret store's validate() is the one rule, shared
    # with `manage.py providersecret set`, and DRF's messages could otherwise quote the input.
    value = TextField(trim_whitespace=False, allow_blank=True)
