from django.urls import path

from library.browse import views

urlpatterns = [
    path("library/works", views.WorkList.as_view(), name="work-list"),
    path("library/works/<int:pk>", views.WorkDetail.as_view(), name="work-detail"),
]
