"""The root URL conf: the health probe, the Django admin, and each app's routes by dotted path.

``security.urls`` comes before the Django admin: it guards the admin's login with its own rate
limit and serves the OpenAPI schema (Administrators only).
"""

from django.contrib import admin
from django.urls import include, path

from engine.landing import Landing
from engine.status import SystemStatus

urlpatterns = [
    path("", Landing.as_view(), name="landing"),
    path("system/status", SystemStatus.as_view(), name="system-status"),
    path("", include("security.urls")),
    path("django-admin/", admin.site.urls),
    path("", include("library.urls")),
    path("", include("intercom.urls")),
]

handler400 = "engine.errors.bad_request"
handler403 = "engine.errors.permission_denied"
handler404 = "engine.errors.not_found"
handler500 = "engine.errors.server_error"
