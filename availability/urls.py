from django.urls import path

from . import views

app_name = "availability"

urlpatterns = [
    path("status/", views.status, name="status"),
    path("availability/", views.MonthView.as_view(), name="month"),
    path("availability/tenants/<int:tenant_id>/", views.tenant_history, name="tenant"),
    path(
        "availability/tenants/<int:tenant_id>/<int:year>/<int:month>/",
        views.tenant_month,
        name="tenant_month",
    ),
    path("availability/outages/", views.OutageListView.as_view(), name="outage_list"),
    path("availability/outages/new/", views.outage_create, name="outage_create"),
    path("availability/outages/<int:outage_id>/", views.outage_detail, name="outage_detail"),
    path("availability/outages/<int:outage_id>/end/", views.outage_end, name="outage_end"),
    path("availability/maintenance/", views.maintenance_list, name="maintenance_list"),
    path("availability/maintenance/weekly/", views.maintenance_open, name="maintenance_open"),
    path(
        "availability/maintenance/quarterly/new/",
        views.maintenance_schedule,
        name="maintenance_schedule",
    ),
    path("availability/maintenance/<int:window_id>/", views.window_detail, name="window_detail"),
    path("availability/maintenance/<int:window_id>/used/", views.window_used, name="window_used"),
    path("availability/maintenance/<int:window_id>/move/", views.window_move, name="window_move"),
    path(
        "availability/maintenance/<int:window_id>/cancel/",
        views.window_cancel,
        name="window_cancel",
    ),
    path("availability/notices/", views.notices, name="notices"),
    path("availability/statements/", views.statement_index, name="statement_index"),
    path(
        "availability/statements/<int:organisation_id>/<int:year>/<int:month>/",
        views.statement_preview,
        name="statement_preview",
    ),
]
