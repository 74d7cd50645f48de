from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from library.folders import services
from library.folders.serializers import (
    FolderCreateSerializer,
    FolderSerializer,
    FolderUpdateSerializer,
    TestPathResultSerializer,
    TestPathSerializer,
)
from library.models import LibraryRoot
from security.audit import Actor
from security.permissions import IsAdministrator


class FolderListCreate(generics.ListAPIView):
    permission_classes = [IsAdministrator]
    serializer_class = FolderSerializer
    queryset = LibraryRoot.objects.all()

    @extend_schema(request=FolderCreateSerializer, responses={201: FolderSerializer})
    def post(self, request):
        form = FolderCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        folder = services.create_folder(actor=Actor.from_request(request), **form.validated_data)
        return Response(FolderSerializer(folder).data, status=status.HTTP_201_CREATED)


class FolderDetail(APIView):
    permission_classes = [IsAdministrator]

    @extend_schema(responses={200: FolderSerializer})
    def get(self, request, pk):
        folder = services.refresh_health(get_object_or_404(LibraryRoot, pk=pk))
        return Response(FolderSerializer(folder).data)

    @extend_schema(request=FolderUpdateSerializer, responses={200: FolderSerializer})
    def put(self, request, pk):
        folder = get_object_or_404(LibraryRoot, pk=pk)
        form = FolderUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        folder = services.update_folder(folder, actor=Actor.from_request(request), **form.validated_data)
        return Response(FolderSerializer(folder).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        services.delete_folder(get_object_or_404(LibraryRoot, pk=pk), actor=Actor.from_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TestPath(APIView):
    permission_classes = [IsAdministrator]

    @extend_schema(request=TestPathSerializer, responses={200: TestPathResultSerializer})
    def post(self, request):
        form = TestPathSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return Response(services.test_path(form.validated_data["path"]))
