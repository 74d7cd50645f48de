from django.urls import path

from library.ingestion import views

urlpatterns = [
    path("ingestion/scan", views.ScanStart.as_view(), name="ingestion-scan"),
    path("ingestion/jobs", views.ScanJobList.as_view(), name="ingestion-job-list"),
    path("ingestion/jobs/<int:pk>", views.ScanJobDetail.as_view(), name="ingestion-job-detail"),
]
