from django.urls import path

from . import views

app_name = "outbox"

urlpatterns = [
    path("", views.UndeliveredView.as_view(), name="undelivered"),
    path("retry/", views.retry, name="retry"),
]
