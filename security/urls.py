from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from security import views
from security.admin_login import protect as protect_admin_login
from security.permissions import IsAdministrator

urlpatterns = [
    # Ahead of the Django admin's own URLs (engine/urls.py), which it guards.
    path("django-admin/login/", protect_admin_login(admin.site.login), name="django-admin-login"),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[IsAdministrator]), name="schema"),
    path("schema/docs/", SpectacularSwaggerView.as_view(url_name="schema", permission_classes=[IsAdministrator]), name="schema-docs"),
    path("", include("security.profiles.urls")),
    path("admin/api-keys", views.ApiKeyListCreate.as_view(), name="api-key-list"),
    path("admin/api-keys/revoke-all", views.ApiKeyRevokeAll.as_view(), name="api-key-revoke-all"),
    path("admin/api-keys/<int:pk>", views.ApiKeyRevoke.as_view(), name="api-key-detail"),
    path("profiles/<int:pk>/keys", views.ProfileKeyList.as_view(), name="profile-key-list"),
    path("profiles/<int:pk>/keys/revoke-all", views.ProfileKeysRevoke.as_view(), name="profile-key-revoke-all"),
    path("admin/audit", views.AuditList.as_view(), name="audit-list"),
]
