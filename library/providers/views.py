"""Provider status and settings (``/settings/providers``) and provider secrets
(``/admin/providers/{name}/secret``). The rules live in ``services.py`` and
``security/secret_store.py``; these views only translate HTTP."""

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from library.models import Provider
from library.providers import services
from library.providers.serializers import (
    ProviderSerializer,
    ProviderUpdateSerializer,
    SecretSerializer,
    SecretUpdateSerializer,
)
from security import secret_store
from security.audit import Actor
from security.permissions import IsAdministrator, IsCurator


def provider_or_404(name):
    provider = services.get_provider(name)
    if provider is None:
        raise NotFound(f"No provider named {name!r}.")
    return provider


class ProviderList(APIView):
    permission_classes = [IsCurator]

    @extend_schema(responses={200: ProviderSerializer(many=True)})
    def get(self, request):
        providers = list(Provider.objects.ensure_all())
        services.enqueue_probe_if_due(providers)
        return Response([ProviderSerializer(services.status(provider)).data for provider in providers])


class ProviderDetail(APIView):
    permission_classes = [IsAdministrator]

    @extend_schema(request=ProviderUpdateSerializer, responses={200: ProviderSerializer})
    def put(self, request, name):
        provider = provider_or_404(name)
        form = ProviderUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.update_provider(provider, actor=Actor.from_request(request), **form.validated_data)
        return Response(ProviderSerializer(services.status(provider)).data)


def secret_body(configured):
    return {"configured": configured, "value": secret_store.MASK if configured else None}


class ProviderSecretView(APIView):
    permission_classes = [IsAdministrator]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(responses={200: SecretSerializer})
    def get(self, request, name):
        provider = provider_or_404(name)
        return Response(secret_body(secret_store.is_configured(provider.name)))

    @extend_schema(request=SecretUpdateSerializer, responses={200: SecretSerializer})
    def put(self, request, name):
        provider = provider_or_404(name)
        form = SecretUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.set_secret(provider, form.validated_data["value"], actor=Actor.from_request(request))
        return Response(secret_body(True))

    @extend_schema(responses={200: SecretSerializer})
    def delete(self, request, name):
        provider = provider_or_404(name)
        services.remove_secret(provider, actor=Actor.from_request(request))
        return Response(secret_body(False))
