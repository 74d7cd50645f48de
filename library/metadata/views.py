from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from library.metadata import services
from library.metadata.fields import KNOWN_FIELDS
from library.metadata.serializers import ClaimSerializer, LockClaimSerializer, ResolvedSerializer, ResolveSerializer
from library.models import Work
from security.audit import Actor
from security.permissions import IsConsumer, IsCurator


def work_or_404(work_id):
    work = Work.objects.filter(pk=work_id).first()
    if work is None:
        raise NotFound(f"No work with id {work_id}.")
    return work


class ClaimHistory(generics.ListAPIView):
    """A work's claims, newest first; ``?field=`` keeps one field's history."""

    permission_classes = [IsConsumer]
    serializer_class = ClaimSerializer

    @extend_schema(parameters=[OpenApiParameter("field", str, enum=sorted(KNOWN_FIELDS))])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        work = work_or_404(self.kwargs["work_id"])
        claims = work.claims.order_by("-claimed_at", "-id")
        field = self.request.query_params.get("field")
        if field is not None:
            if field not in KNOWN_FIELDS:
                raise ValidationError({"field": [f"Unknown metadata field {field!r}."]})
            claims = claims.filter(field=field)
        return claims


class LockClaim(APIView):
    permission_classes = [IsCurator]

    @extend_schema(request=LockClaimSerializer, responses={201: ClaimSerializer})
    def post(self, request):
        form = LockClaimSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        work = work_or_404(form.validated_data["work_id"])
        claim = services.lock_claim(
            work, form.validated_data["field"], form.validated_data["value"], principal=request.user, actor=Actor.from_request(request),
        )
        return Response(ClaimSerializer(claim, context={"request": request}).data, status=status.HTTP_201_CREATED)


class Resolve(APIView):
    permission_classes = [IsCurator]

    @extend_schema(request=ResolveSerializer, responses={200: ResolvedSerializer})
    def post(self, request):
        form = ResolveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        work = work_or_404(form.validated_data["work_id"])
        field = form.validated_data.get("field")
        changed = services.resolve_requested(work, fields=[field] if field else None, actor=Actor.from_request(request))
        work.refresh_from_db()
        return Response({"work_id": work.pk, "changed": sorted(changed), "values": services.canonical_view(work)})
