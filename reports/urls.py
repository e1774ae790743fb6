from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("sla/", views.sla_compliance, name="sla"),
    path("sla/by/<slug:dimension>/", views.sla_by, name="by"),
    path("sla/breaches/", views.breaches, name="breaches"),
    path("sla/trend/", views.trend, name="trend"),
    path("my-sla/", views.customer_summary, name="customer"),
]
