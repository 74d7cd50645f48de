from django.contrib import admin
from django.urls import include, path

from engine.status import SystemStatus

urlpatterns = [
    path("system/status", SystemStatus.as_view(), name="system-status"),
    path("django-admin/", admin.site.urls),
    path("", include("security.urls")),
    path("", include("library.urls")),
    path("", include("intercom.urls")),
]

handler400 = "engine.errors.bad_request"
handler403 = "engine.errors.permission_denied"
handler404 = "engine.errors.not_found"
handler500 = "engine.errors.server_error"
