from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from engine.errors import Conflict
from library.ingestion import services
from library.ingestion.serializers import ScanJobDetailSerializer, ScanJobSerializer, ScanRequestSerializer
from library.models import LibraryRoot, ScanJob
from security.audit import Actor
from security.permissions import IsAdministrator


class ScanStart(APIView):
    permission_classes = [IsAdministrator]

    @extend_schema(request=ScanRequestSerializer, responses={202: ScanJobSerializer})
    def post(self, request):
        form = ScanRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        folder_id = form.validated_data.get("folder_id")
        if folder_id is not None:
            job = services.queue_scan(get_object_or_404(LibraryRoot, pk=folder_id), actor=Actor.from_request(request))
            return Response(ScanJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
        jobs = services.queue_all(actor=Actor.from_request(request))
        if not jobs:
            raise Conflict("No enabled folder is waiting for a scan.", "nothing_to_scan")
        return Response({"jobs": ScanJobSerializer(jobs, many=True).data}, status=status.HTTP_202_ACCEPTED)


class ScanJobList(generics.ListAPIView):
    permission_classes = [IsAdministrator]
    serializer_class = ScanJobSerializer
    queryset = ScanJob.objects.all()


class ScanJobDetail(generics.RetrieveAPIView):
    permission_classes = [IsAdministrator]
    serializer_class = ScanJobDetailSerializer
    queryset = ScanJob.objects.all()
