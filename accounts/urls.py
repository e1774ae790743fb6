from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("two-factor/", views.mfa_verify, name="mfa_verify"),
    path("two-factor/setup/", views.mfa_setup, name="mfa_setup"),
    path("security/", views.security, name="security"),
    path("security/recovery-codes/", views.recovery_codes_renew, name="recovery_codes_renew"),
    path("security/two-factor/off/", views.mfa_remove, name="mfa_remove"),
    path("security/sessions/end/", views.sessions_end_others, name="sessions_end_others"),
    path("manage/", views.manage, name="manage"),
    path("manage/lockouts/end/", views.lockout_end, name="lockout_end"),
    path("manage/two-factor/reset/", views.mfa_reset, name="mfa_reset"),
]
