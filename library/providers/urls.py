from django.urls import path

from library.providers import views

urlpatterns = [
    path("settings/providers", views.ProviderList.as_view(), name="provider-list"),
    path("settings/providers/<str:name>", views.ProviderDetail.as_view(), name="provider-detail"),
    path("admin/providers/<str:name>/secret", views.ProviderSecretView.as_view(), name="provider-secret"),
]
