from django.urls import path

from library.folders import views

urlpatterns = [
    path("settings/folders", views.FolderListCreate.as_view(), name="folder-list"),
    path("settings/folders/<int:pk>", views.FolderDetail.as_view(), name="folder-detail"),
    path("settings/test-path", views.TestPath.as_view(), name="test-path"),
]
