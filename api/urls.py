"""The REST API, version 1: /api/v1/…"""

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import docs, views

app_name = "api"

urlpatterns = [
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", docs.swagger_ui, name="docs"),
    path("me/", views.MeView.as_view(), name="me"),
    path("tenants/", views.TenantListView.as_view(), name="tenants"),
    path("queue/", views.QueueView.as_view(), name="queue"),
    path("tickets/", views.TicketListView.as_view(), name="tickets"),
    path("tickets/<int:ticket_id>/", views.TicketDetailView.as_view(), name="ticket_detail"),
    path("tickets/<int:ticket_id>/replies/", views.TicketReplyView.as_view(), name="ticket_reply"),
    path("tickets/<int:ticket_id>/notes/", views.TicketNoteView.as_view(), name="ticket_note"),
    path(
        "tickets/<int:ticket_id>/attachments/<int:attachment_id>/",
        views.AttachmentView.as_view(),
        name="ticket_attachment",
    ),
    *[
        path(
            f"tickets/<int:ticket_id>/{name.replace('_', '-')}/",
            views.action_view(name),
            name=f"ticket_{name}",
        )
        for name in views.ACTION_SERIALIZERS
    ],
    # Last: any other address under /api/v1/ (an id that is not a number, say) is a JSON 404,
    # also one holding a line break, which ``<path:…>`` (``.+``) would not match.
    re_path(r"^(?P<path>[\s\S]+)\Z", views.not_found, name="not_found"),
]
