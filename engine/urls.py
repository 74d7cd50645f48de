from django.contrib import admin
from django.urls import include, path

from engine.status import system_status

urlpatterns = [
    path("system/status", system_status, name="system-status"),
    path("django-admin/", admin.site.urls),
    path("", include("security.urls")),
    path("", include("library.urls")),
    path("", include("intercom.urls")),
]

handler400 = "engine.errors.bad_request"
handler403 = "engine.errors.permission_denied"
handler404 = "engine.errors.not_found"
handler500 = "engine.errors.server_error"
