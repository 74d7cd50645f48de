from django.urls import path

from intercom import views

urlpatterns = [
    path("hubs/intercom/negotiate", views.negotiate, name="hub-negotiate"),
    path("hubs/intercom/ticket", views.HubTicketView.as_view(), name="hub-ticket"),
]
