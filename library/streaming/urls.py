from django.urls import path

from library.streaming import views

urlpatterns = [
    path("stream/<int:asset_id>", views.stream, name="stream"),
    path("stream/<int:asset_id>/link", views.stream_link, name="stream-link"),
]
