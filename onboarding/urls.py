from django.urls import path

from . import views

app_name = "onboarding"

urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("<int:checklist_id>/", views.detail, name="detail"),
    path("<int:checklist_id>/go-live/", views.go_live, name="go_live"),
    path("steps/<int:step_id>/done/", views.step_done, name="step_done"),
    path("steps/<int:step_id>/reopen/", views.step_reopen, name="step_reopen"),
    path("steps/<int:step_id>/edit/", views.step_edit, name="step_edit"),
]
