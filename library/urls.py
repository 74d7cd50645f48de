from django.urls import include, path

urlpatterns = [
    path("", include("library.metadata.urls")),
    path("", include("library.providers.urls")),
    path("", include("library.streaming.urls")),
]
