from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from security import services
from security.audit import Actor
from security.models import ApiKey, AuditEntry
from security.permissions import IsAdministrator
from security.profiles.selectors import profile_by_id
from security.serializers import (
    ApiKeyCreateSerializer,
    ApiKeySerializer,
    AuditEntrySerializer,
    CreatedApiKeySerializer,
)


class ApiKeyListCreate(generics.ListAPIView):
    permission_classes = [IsAdministrator]
    serializer_class = ApiKeySerializer
    queryset = ApiKey.objects.all()

    @extend_schema(request=ApiKeyCreateSerializer, responses={201: CreatedApiKeySerializer})
    def post(self, request):
        form = ApiKeyCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        profile_id = values.pop("profile_id", None)
        profile = profile_by_id(profile_id) if profile_id is not None else None
        api_key, plaintext = services.create_key(actor=Actor.from_request(request), profile=profile, **values)
        api_key.key = plaintext
        response = Response(CreatedApiKeySerializer(api_key).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class ApiKeyRevoke(APIView):
    permission_classes = [IsAdministrator]

    @extend_schema(responses={200: ApiKeySerializer})
    def delete(self, request, pk):
        api_key = get_object_or_404(ApiKey, pk=pk)
        services.revoke_key(api_key, actor=Actor.from_request(request))
        return Response(ApiKeySerializer(api_key).data)


class ApiKeyRevokeAll(APIView):
    permission_classes = [IsAdministrator]

    @extend_schema(request=None, responses={200: {"type": "object", "properties": {"revoked": {"type": "integer"}}}})
    def post(self, request):
        return Response({"revoked": services.revoke_all(actor=Actor.from_request(request))})


class ProfileKeyList(generics.ListAPIView):
    """The keys of one profile, newest first (revoked and expired ones too)."""

    permission_classes = [IsAdministrator]
    serializer_class = ApiKeySerializer

    def get_queryset(self):
        return ApiKey.objects.filter(profile=profile_by_id(self.kwargs["pk"]))


class ProfileKeysRevoke(APIView):
    """Revoke every active key of one profile: a lost phone, a person leaving the household."""

    permission_classes = [IsAdministrator]

    @extend_schema(request=None, responses={200: {"type": "object", "properties": {"revoked": {"type": "integer"}}}})
    def post(self, request, pk):
        return Response({"revoked": services.revoke_profile_keys(profile_by_id(pk), actor=Actor.from_request(request))})


class AuditList(generics.ListAPIView):
    permission_classes = [IsAdministrator]
    serializer_class = AuditEntrySerializer
    queryset = AuditEntry.objects.all()
