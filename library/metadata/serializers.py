from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from engine.api import StrictSerializer
from library.metadata.fields import KNOWN_FIELDS
from library.metadata.resolution import USER_SOURCE
from library.models import Claim


class ClaimSerializer(serializers.ModelSerializer):
    work_id = serializers.IntegerField(read_only=True)
    claimed_by = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = ["id", "work_id", "field", "value", "source", "confidence", "locked", "claimed_by", "claimed_at"]
        read_only_fields = fields

    def get_claimed_by(self, claim) -> str:
        """Who made a person's claim is for Administrators (the key, as the audit trail has it);
        anyone else sees the role, never a key's prefix or its label."""
        request = self.context.get("request")
        viewer = getattr(request, "user", None) if request is not None else None
        if claim.source != USER_SOURCE or (viewer is not None and viewer.is_administrator):
            return claim.claimed_by
        return claim.claimer_role or "user"


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "number"}]})
class AnyScalarField(serializers.Field):
    """Text or a number as sent; the field's own rule (fields.normalise) judges it."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (str, int, float)):
            raise serializers.ValidationError("Must be text or a number.")
        return data

    def to_representation(self, value):
        return value


class LockClaimSerializer(StrictSerializer):
    work_id = serializers.IntegerField(min_value=1)
    field = serializers.CharField(max_length=64)
    value = AnyScalarField()


class ResolveSerializer(StrictSerializer):
    work_id = serializers.IntegerField(min_value=1)
    field = serializers.ChoiceField(choices=sorted(KNOWN_FIELDS), required=False)


class ResolvedSerializer(serializers.Serializer):
    work_id = serializers.IntegerField()
    changed = serializers.ListField(child=serializers.CharField())
    values = serializers.DictField()
