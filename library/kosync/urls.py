from django.urls import path

from library.kosync import views

urlpatterns = [
    path("kosync/users/auth", views.authorize, name="kosync-auth"),
    path("kosync/users/create", views.create_user, name="kosync-create-user"),
    path("kosync/syncs/progress", views.update_progress, name="kosync-update-progress"),
    path("kosync/syncs/progress/<str:document>", views.get_progress, name="kosync-progress"),
    path("kosync/healthcheck", views.healthcheck, name="kosync-healthcheck"),
]
