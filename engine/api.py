"""Building blocks shared by every REST endpoint of the engine."""

from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class StrictSerializer(serializers.Serializer):
    """Refuses request fields it does not declare.

    A typo such as ``{"rol": "Consumer"}`` would otherwise be ignored silently and the request
    would succeed with defaults the caller did not ask for.
    """

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown field."] for name in unknown}, code="unknown_field"
                )
        return super().to_internal_value(data)
