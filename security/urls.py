from django.urls import include, path

from security import views

urlpatterns = [
    path("", include("security.profiles.urls")),
    path("admin/api-keys", views.ApiKeyListCreate.as_view(), name="api-key-list"),
    path("admin/api-keys/revoke-all", views.ApiKeyRevokeAll.as_view(), name="api-key-revoke-all"),
    path("admin/api-keys/<int:pk>", views.ApiKeyRevoke.as_view(), name="api-key-detail"),
    path("admin/audit", views.AuditList.as_view(), name="audit-list"),
]
