from django.urls import path

from .views import maintenance, months, notices, outages, status

app_name = "availability"

urlpatterns = [
    path("status/", status.status, name="status"),
    path("availability/", months.MonthView.as_view(), name="month"),
    path("availability/tenants/<int:tenant_id>/", months.tenant_history, name="tenant"),
    path(
        "availability/tenants/<int:tenant_id>/<int:year>/<int:month>/",
        months.tenant_month,
        name="tenant_month",
    ),
    path("availability/outages/", outages.OutageListView.as_view(), name="outage_list"),
    path("availability/outages/new/", outages.outage_create, name="outage_create"),
    path("availability/outages/<int:outage_id>/", outages.outage_detail, name="outage_detail"),
    path("availability/outages/<int:outage_id>/end/", outages.outage_end, name="outage_end"),
    path("availability/maintenance/", maintenance.maintenance_list, name="maintenance_list"),
    path("availability/maintenance/weekly/", maintenance.maintenance_open, name="maintenance_open"),
    path(
        "availability/maintenance/quarterly/new/",
        maintenance.maintenance_schedule,
        name="maintenance_schedule",
    ),
    path(
        "availability/maintenance/<int:window_id>/",
        maintenance.window_detail,
        name="window_detail",
    ),
    path(
        "availability/maintenance/<int:window_id>/used/",
        maintenance.window_used,
        name="window_used",
    ),
    path(
        "availability/maintenance/<int:window_id>/move/",
        maintenance.window_move,
        name="window_move",
    ),
    path(
        "availability/maintenance/<int:window_id>/cancel/",
        maintenance.window_cancel,
        name="window_cancel",
    ),
    path("availability/notices/", notices.notices, name="notices"),
    path("availability/statements/", notices.statement_index, name="statement_index"),
    path(
        "availability/statements/<int:organisation_id>/<int:year>/<int:month>/",
        notices.statement_preview,
        name="statement_preview",
    ),
]
