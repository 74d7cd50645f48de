from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from engine.status import SystemStatus
from security.admin_login import protect as protect_admin_login
from security.permissions import IsAdministrator

urlpatterns = [
    path("system/status", SystemStatus.as_view(), name="system-status"),
    path("django-admin/login/", protect_admin_login(admin.site.login), name="django-admin-login"),
    path("django-admin/", admin.site.urls),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[IsAdministrator]), name="schema"),
    path("schema/docs/", SpectacularSwaggerView.as_view(url_name="schema", permission_classes=[IsAdministrator]), name="schema-docs"),
    path("", include("security.urls")),
    path("", include("library.urls")),
    path("", include("intercom.urls")),
]

handler400 = "engine.errors.bad_request"
handler403 = "engine.errors.permission_denied"
handler404 = "engine.errors.not_found"
handler500 = "engine.errors.server_error"
