from django.urls import path

from library.artwork.views import WorkArtwork
from library.opds import views
from library.streaming.views import stream

urlpatterns = [
    *(path(f"opds/{route}", views.atom_feed(builder), name=f"opds-{name}") for route, builder, name in views.FEEDS),
    *(path(f"opds/v2/{route}", views.v2_feed(builder), name=f"opds-v2-{name}") for route, builder, name in views.FEEDS),
    path("opds/opensearch.xml", views.opensearch, name="opds-opensearch"),
    # The files and covers the feeds link to, where the readers' Basic credentials are read.
    path("opds/stream/<int:asset_id>", stream, name="opds-stream"),
    path("opds/works/<int:pk>/artwork", WorkArtwork.as_view(), name="opds-work-artwork"),
]
