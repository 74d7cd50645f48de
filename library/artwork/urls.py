from django.urls import path

from library.artwork import views

urlpatterns = [
    path("library/works/<int:pk>/artwork", views.WorkArtwork.as_view(), name="work-artwork"),
]
