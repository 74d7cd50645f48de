"""REST routes of per-profile state, for the calling profile (``/me/…``) and playlists.

Thin: each reads the caller's profile from its principal and calls one service or selector.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from library.models import Asset, Work
from library.models.state import ItemKind
from library.state import bookmarks, play_queue, playlists, plays, ratings, reading, selectors, stars
from library.state.items import checked_kind
from library.state.serializers import (
    BookmarkSerializer,
    BookmarkWriteSerializer,
    PlaylistDetailSerializer,
    PlaylistSerializer,
    PlaylistWriteSerializer,
    PlayQueueSerializer,
    PlayQueueWriteSerializer,
    PlaySerializer,
    ReadingProgressSerializer,
    ReadingProgressWriteSerializer,
    RatingSerializer,
    RatingWriteSerializer,
    ScrobbleSerializer,
    StarSerializer,
)
from security.permissions import IsConsumer

KIND_FILTER = OpenApiParameter("kind", str, enum=list(ItemKind.values), description="Only items of this kind.")
ITEM_PARAMETERS = [
    OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(ItemKind.values)),
    OpenApiParameter("item_id", str, OpenApiParameter.PATH, description="A work id, or an album's (al-…) or artist's (ar-…) id."),
]


def _kind_filter(request):
    kind = request.query_params.get("kind") or None
    return checked_kind(kind) if kind is not None else None


class ProfileStateView(APIView):
    permission_classes = [IsConsumer]

    @property
    def profile(self):
        return self.request.user.profile


def _client_name(request, named=None):
    """Who made a change (the play queue, a reading position): the client named, else the key's label."""
    principal = request.user
    return named or (principal.key.label if principal.key is not None else "localhost")


class KindFilteredList(ProfileStateView, generics.ListAPIView):
    """The caller's stars or ratings, ``?kind=`` keeping one kind."""

    selector = None

    @extend_schema(parameters=[KIND_FILTER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return type(self).selector(self.profile, _kind_filter(self.request))


class StarList(KindFilteredList):
    serializer_class = StarSerializer
    selector = staticmethod(selectors.stars_of)


@extend_schema(parameters=ITEM_PARAMETERS)
class StarDetail(ProfileStateView):
    @extend_schema(request=None, responses={200: StarSerializer})
    def put(self, request, kind, item_id):
        return Response(StarSerializer(stars.star(self.profile, kind, item_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, kind, item_id):
        stars.unstar(self.profile, kind, item_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RatingList(KindFilteredList):
    serializer_class = RatingSerializer
    selector = staticmethod(selectors.ratings_of)


@extend_schema(parameters=ITEM_PARAMETERS)
class RatingDetail(ProfileStateView):
    @extend_schema(request=RatingWriteSerializer, responses={200: RatingSerializer, 204: None})
    def put(self, request, kind, item_id):
        form = RatingWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        rated = ratings.rate(self.profile, kind, item_id, form.validated_data["rating"])
        if rated is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(RatingSerializer(rated).data)

    @extend_schema(responses={204: None})
    def delete(self, request, kind, item_id):
        ratings.rate(self.profile, kind, item_id, 0)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlayList(ProfileStateView, generics.ListAPIView):
    serializer_class = PlaySerializer

    def get_queryset(self):
        return selectors.plays_of(self.profile)

    @extend_schema(request=ScrobbleSerializer, responses={200: PlaySerializer})
    def post(self, request):
        form = ScrobbleSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        work = get_object_or_404(Work, pk=form.validated_data["work_id"])
        return Response(PlaySerializer(plays.scrobble(self.profile, work, form.validated_data.get("played_at"))).data)


class BookmarkList(ProfileStateView, generics.ListAPIView):
    serializer_class = BookmarkSerializer

    def get_queryset(self):
        return selectors.bookmarks_of(self.profile)


class BookmarkDetail(ProfileStateView):
    @extend_schema(request=BookmarkWriteSerializer, responses={200: BookmarkSerializer})
    def put(self, request, asset_id):
        form = BookmarkWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        asset = get_object_or_404(Asset, pk=asset_id)
        return Response(BookmarkSerializer(bookmarks.save_bookmark(self.profile, asset, **form.validated_data)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, asset_id):
        bookmarks.delete_bookmark(self.profile, get_object_or_404(Asset, pk=asset_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _queue_body(queue):
    if queue is None:
        return {"entries": [], "current_index": None, "position_ms": 0, "changed_at": None, "changed_by": ""}
    return {
        "entries": queue.entry_work_ids, "current_index": queue.current_index, "position_ms": queue.position_ms,
        "changed_at": queue.changed_at, "changed_by": queue.changed_by,
    }


class PlayQueueDetail(ProfileStateView):
    """The caller's play queue; empty when none was saved."""

    @extend_schema(responses={200: PlayQueueSerializer})
    def get(self, request):
        return Response(PlayQueueSerializer(_queue_body(selectors.play_queue_of(self.profile))).data)

    @extend_schema(request=PlayQueueWriteSerializer, responses={200: PlayQueueSerializer})
    def put(self, request):
        form = PlayQueueWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = form.validated_data
        play_queue.save_play_queue(
            self.profile, work_ids=values["entries"], current_index=values.get("current_index"),
            position_ms=values.get("position_ms", 0), changed_by=_client_name(request, values.get("client")),
        )
        return Response(PlayQueueSerializer(_queue_body(selectors.play_queue_of(self.profile))).data)

    @extend_schema(responses={204: None})
    def delete(self, request):
        play_queue.clear_play_queue(self.profile, changed_by=_client_name(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _detail(profile, playlist_id):
    return PlaylistDetailSerializer(selectors.playlist_readable_by(profile, playlist_id)).data


class PlaylistListCreate(ProfileStateView, generics.ListAPIView):
    """The caller's playlists and every public one."""

    serializer_class = PlaylistSerializer

    def get_queryset(self):
        return selectors.playlists_visible_to(self.profile)

    @extend_schema(request=PlaylistWriteSerializer, responses={201: PlaylistDetailSerializer})
    def post(self, request):
        form = PlaylistWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        playlist = playlists.create_playlist(self.profile, work_ids=values.pop("entries", ()), **values)
        return Response(_detail(self.profile, playlist.pk), status=status.HTTP_201_CREATED)


class PlaylistDetail(ProfileStateView):
    """Any profile reads a public playlist; only its owner changes or deletes it."""

    @extend_schema(responses={200: PlaylistDetailSerializer})
    def get(self, request, pk):
        return Response(_detail(self.profile, pk))

    def _update(self, request, pk, *, partial):
        playlist = selectors.playlist_writable_by(self.profile, pk)
        form = PlaylistWriteSerializer(data=request.data, partial=partial)
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        if not partial:
            values.setdefault("comment", "")
            values.setdefault("public", False)
            values.setdefault("entries", [])
        playlist = playlists.update_playlist(playlist, work_ids=values.pop("entries", None), **values)
        return Response(_detail(self.profile, playlist.pk))

    @extend_schema(request=PlaylistWriteSerializer, responses={200: PlaylistDetailSerializer})
    def put(self, request, pk):
        return self._update(request, pk, partial=False)

    @extend_schema(request=PlaylistWriteSerializer, responses={200: PlaylistDetailSerializer})
    def patch(self, request, pk):
        return self._update(request, pk, partial=True)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        playlists.delete_playlist(selectors.playlist_writable_by(self.profile, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _progress_body(work_id, progress):
    if progress is None:
        return {"work_id": work_id, "percentage": None, "position": "", "device": "", "device_id": "", "changed_at": None}
    return {
        "work_id": work_id, "percentage": progress.percentage, "position": progress.position,
        "device": progress.device, "device_id": progress.device_id, "changed_at": progress.changed_at,
    }


class ReadingProgressDetail(ProfileStateView):
    """The caller's reading progress in a work: the same record KOReader's progress sync reads
    and writes (``/kosync/``), so the e-reader and the API see one place."""

    @extend_schema(responses={200: ReadingProgressSerializer})
    def get(self, request, pk):
        work = get_object_or_404(Work, pk=pk)
        return Response(ReadingProgressSerializer(_progress_body(work.pk, selectors.progress_of(self.profile, work.pk))).data)

    @extend_schema(request=ReadingProgressWriteSerializer, responses={200: ReadingProgressSerializer})
    def put(self, request, pk):
        work = get_object_or_404(Work, pk=pk)
        form = ReadingProgressWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        values.setdefault("device", _client_name(request))
        progress = reading.save_progress(self.profile, work, **values)
        return Response(ReadingProgressSerializer(_progress_body(work.pk, progress)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        reading.clear_progress(self.profile, get_object_or_404(Work, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
