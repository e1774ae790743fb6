from django.contrib import admin
from django.urls import include, path

from home import views as home_views
from tenants import views as tenant_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("accounts/", include("accounts.auth_urls")),
    path("accounts/", include("accounts.urls")),
    path("audit/", include("audit.urls")),
    path("organisation/", include("tenants.urls")),
    path("preferences/", tenant_views.preferences, name="preferences"),
    path("tickets/", include("tickets.urls")),
    path("sla/", include("sla.urls")),
    path("queue/", include("tickets.queue.urls")),
    path("onboarding/", include("onboarding.urls")),
    path("reports/", include("reports.urls")),
    path("outbox/", include("outbox.urls")),
    path("api/v1/", include("api.urls")),
    path("integrations/", include("api.page_urls")),
    path("", include("availability.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Support portal administration"
admin.site.site_title = "Support portal admin"
