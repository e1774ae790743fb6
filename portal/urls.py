from django.contrib import admin
from django.urls import include, path

from tenants import views as tenant_views

urlpatterns = [
    path("", tenant_views.home, name="home"),
    path("accounts/", include("accounts.auth_urls")),
    path("accounts/", include("accounts.urls")),
    path("audit/", include("audit.urls")),
    path("organisation/", include("tenants.urls")),
    path("tickets/", include("tickets.urls")),
    path("sla/", include("sla.urls")),
    path("queue/", include("tickets.queue_urls")),
    path("onboarding/", include("tenants.onboarding_urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Support portal administration"
admin.site.site_title = "Support portal admin"
