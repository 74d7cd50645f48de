from django.urls import path, register_converter

from library.state import views


class ItemKindConverter:
    """``work``, ``album`` or ``artist``: any other kind names no route (404)."""

    regex = "work|album|artist"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ItemKindConverter, "item_kind")

urlpatterns = [
    path("me/stars", views.StarList.as_view(), name="star-list"),
    path("me/stars/<item_kind:kind>/<str:item_id>", views.StarDetail.as_view(), name="star-detail"),
    path("me/ratings", views.RatingList.as_view(), name="rating-list"),
    path("me/ratings/<item_kind:kind>/<str:item_id>", views.RatingDetail.as_view(), name="rating-detail"),
    path("me/plays", views.PlayList.as_view(), name="play-list"),
    path("me/bookmarks", views.BookmarkList.as_view(), name="bookmark-list"),
    path("me/bookmarks/<int:asset_id>", views.BookmarkDetail.as_view(), name="bookmark-detail"),
    path("me/play-queue", views.PlayQueueDetail.as_view(), name="play-queue"),
    path("library/works/<int:pk>/progress", views.ReadingProgressDetail.as_view(), name="reading-progress"),
    path("playlists", views.PlaylistListCreate.as_view(), name="playlist-list"),
    path("playlists/<int:pk>", views.PlaylistDetail.as_view(), name="playlist-detail"),
]
