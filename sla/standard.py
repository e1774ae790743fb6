"""The default calendar and policy of the service description (SPEC "Priorities").

Plain data, shared by the migration that creates them and by ``services.ensure_standard_policy``
(which recreates them in a database that was emptied, e.g. by a transactional test).
"""

from datetime import time

HELSINKI_CALENDAR = {
    "slug": "helsinki",
    "name": "Helsinki office hours",
    "time_zone": "Europe/Helsinki",
    "holiday_country": "FI",
}
# Monday–Friday 08:00–16:30, "8:00 AM – 4:30 PM EET, excluding local holidays".
HELSINKI_WINDOWS = [(weekday, time(8, 0), time(16, 30)) for weekday in range(5)]

STANDARD_POLICY = {
    "slug": "standard",
    "name": "Standard",
    "warning_share": 0.8,
    "description": "Service description, table 'Incident Categories': P1 and P2 on 24/7/365, "
    "P3 and P4 in business hours (Mon–Fri 08:00–16:30 Helsinki time, Finnish holidays "
    "excluded).",
}
STANDARD_TARGETS = [
    # priority, kind, clock, amount, unit
    ("P1", "initial_response", "24x7", 60, "minutes"),
    ("P1", "ongoing_update", "24x7", 60, "minutes"),
    ("P1", "resolution", "24x7", 4, "hours"),
    ("P2", "initial_response", "24x7", 4, "hours"),
    ("P2", "ongoing_update", "24x7", 6, "hours"),
    ("P3", "initial_response", "business", 1, "business_days"),
    ("P3", "ongoing_update", "business", 3, "business_days"),
    ("P3", "ongoing_update_defect", "business", 10, "business_days"),
    ("P4", "initial_response", "business", 2, "business_days"),
    ("P4", "ongoing_update", "business", 5, "business_days"),
]
