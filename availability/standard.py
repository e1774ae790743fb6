"""The maintenance slots and availability target of the service description, as plain data.

Shared by the data migration that loads them and by ``services.availability_defaults_ensure``
(which loads them again into a database that was emptied, e.g. by a transactional test). Later
changes belong in Django admin, not here: the pages read the rows, never these values.
"""

from datetime import UTC, datetime, time
from decimal import Decimal

# §4.3.1 "Monthly system availability SLA for Sinch Contact Pro is 99,92%."
DEFAULT_TARGET_PERCENT = Decimal("99.92")

# The seed gives no start date for the windows; they are taken to apply to every month the
# portal can measure.
SLOTS_EFFECTIVE_FROM = datetime(2020, 1, 1, tzinfo=UTC)

# §5.1.1 weekly windows: region, weekday in UTC (0 = Monday), start in UTC, minutes.
WEEKLY_SLOTS = [
    ("europe", 5, time(22, 0), 4 * 60),  # Sat 10 PM – Sun 2 AM UTC
    ("americas", 6, time(4, 0), 4 * 60),  # Sun 4 AM – Sun 8 AM UTC
    ("apac", 5, time(15, 0), 4 * 60),  # Sat 3 PM – Sat 7 PM UTC
    ("africa", 5, time(22, 0), 4 * 60),  # Sat 10 PM – Sun 2 AM UTC
]

# §5.1.2 quarterly windows: when one starts once an administrator schedules it, and its length.
QUARTERLY_SLOTS = [
    ("europe", 4, time(21, 0), 53 * 60),  # Fri 9 PM – Mon 2 AM UTC
    ("americas", 5, time(3, 0), 53 * 60),  # Sat 3 AM – Mon 8 AM UTC
    ("apac", 4, time(14, 0), 53 * 60),  # Fri 2 PM – Sun 7 PM UTC
    ("africa", 4, time(21, 0), 53 * 60),  # Fri 9 PM – Mon 2 AM UTC
]

# §5.1.2 "used up to four times per year".
QUARTERLY_WINDOWS_PER_YEAR = 4
