from django.urls import path

from . import views

app_name = "sla"

urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
]
