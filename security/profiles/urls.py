from django.urls import path

from security.profiles import views

urlpatterns = [
    path("me", views.Caller.as_view(), name="caller"),
    path("profiles", views.ProfileListCreate.as_view(), name="profile-list"),
    path("profiles/<int:pk>", views.ProfileDetail.as_view(), name="profile-detail"),
]
