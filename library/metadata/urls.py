from django.urls import path

from library.metadata import views

urlpatterns = [
    path("metadata/claims/<int:work_id>", views.ClaimHistory.as_view(), name="claim-history"),
    path("metadata/lock-claim", views.LockClaim.as_view(), name="lock-claim"),
    path("metadata/resolve", views.Resolve.as_view(), name="resolve"),
]
