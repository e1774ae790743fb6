"""The admin's date-time inputs keep a stored value exactly when a form is saved unchanged.

Django's admin shows a date-time to the second and saves what it shows, so saving any form
unchanged cut the microseconds off every time written by the portal itself (a tenant's
provisioning time, a heartbeat, a throttling time): a change nobody made. These inputs show the
fraction of a second when there is one.
"""

from django.contrib.admin import options, widgets


class PreciseAdminTimeWidget(widgets.AdminTimeWidget):
    def format_value(self, value):
        if getattr(value, "microsecond", 0):
            return value.strftime("%H:%M:%S.%f")
        return super().format_value(value)


class PreciseAdminSplitDateTime(widgets.AdminSplitDateTime):
    supports_microseconds = True

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.widgets[1] = PreciseAdminTimeWidget()


def use_precise_datetimes_in_admin() -> None:
    """Make ``PreciseAdminSplitDateTime`` the admin's widget for every ``DateTimeField`` of
    every model admin registered after this call (the portal's and third-party ones alike)."""
    options.FORMFIELD_FOR_DBFIELD_DEFAULTS[options.models.DateTimeField]["widget"] = (
        PreciseAdminSplitDateTime
    )
