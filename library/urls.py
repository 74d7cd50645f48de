from django.urls import include, path

urlpatterns = [
    path("", include("library.streaming.urls")),
]
