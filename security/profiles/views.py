from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from security.audit import Actor
from security.permissions import IsAdministrator, IsConsumer
from security.profiles import services
from security.profiles.models import Profile
from security.profiles.serializers import CallerSerializer, ProfileSerializer, ProfileWriteSerializer


class Caller(APIView):
    """Who the caller is: what a player shows as "signed in as", and what its key may do."""

    permission_classes = [IsConsumer]

    @extend_schema(responses={200: CallerSerializer})
    def get(self, request):
        principal = request.user
        return Response(CallerSerializer({"role": principal.role, "profile": principal.profile, "key": principal.key}).data)


class ProfileListCreate(generics.ListAPIView):
    permission_classes = [IsAdministrator]
    serializer_class = ProfileSerializer
    queryset = Profile.objects.all()

    @extend_schema(request=ProfileWriteSerializer, responses={201: ProfileSerializer})
    def post(self, request):
        form = ProfileWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        profile = services.create_profile(actor=Actor.from_request(request), **form.validated_data)
        return Response(ProfileSerializer(profile).data, status=status.HTTP_201_CREATED)


class ProfileDetail(APIView):
    permission_classes = [IsAdministrator]

    @extend_schema(responses={200: ProfileSerializer})
    def get(self, request, pk):
        return Response(ProfileSerializer(get_object_or_404(Profile, pk=pk)).data)

    def _update(self, request, pk, *, partial):
        profile = get_object_or_404(Profile, pk=pk)
        form = ProfileWriteSerializer(data=request.data, partial=partial)
        form.is_valid(raise_exception=True)
        profile = services.update_profile(profile, actor=Actor.from_request(request), **form.validated_data)
        return Response(ProfileSerializer(profile).data)

    @extend_schema(request=ProfileWriteSerializer, responses={200: ProfileSerializer})
    def put(self, request, pk):
        return self._update(request, pk, partial=False)

    @extend_schema(request=ProfileWriteSerializer, responses={200: ProfileSerializer})
    def patch(self, request, pk):
        return self._update(request, pk, partial=True)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        services.delete_profile(get_object_or_404(Profile, pk=pk), actor=Actor.from_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
