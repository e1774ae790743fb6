"""The engineer queue's URLs, in their own ``queue`` namespace (``queue:list``)."""

from django.urls import path

from .views import QueueView

app_name = "queue"

urlpatterns = [
    path("", QueueView.as_view(), name="list"),
]
