from django.urls import include, path

urlpatterns = [
    path("", include("library.folders.urls")),
    path("", include("library.ingestion.urls")),
    path("", include("library.browse.urls")),
    path("", include("library.metadata.urls")),
    path("", include("library.providers.urls")),
    path("", include("library.streaming.urls")),
    path("", include("library.state.urls")),
    path("", include("library.artwork.urls")),
    path("", include("library.subsonic.urls")),
    path("", include("library.opds.urls")),
    path("", include("library.kosync.urls")),
]
