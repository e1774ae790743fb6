"""How many SLA deadlines per second the engine computes on one core.

Run: ``.venv/bin/python bench/sla_deadlines.py [pairs]``. Migrates a throw-away in-memory
database (unless ``DATABASE_URL`` names another), builds the standard policy's calendar once, then
times the initial-response and ongoing-update deadlines of random (priority, start) pairs
(100,000 by default) through the pure functions in ``sla.deadlines``, the way the ticket
services call them. The target is 100,000 deadlines per second.
"""

import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Run as a script, this folder comes first on sys.path, where a sibling benchmark named like a
# standard module (bench/queue.py hides ``queue``) breaks Django's imports: put the project there.
if sys.path and Path(sys.path[0] or ".").resolve() == HERE:
    sys.path[0] = str(HERE.parent)
else:
    sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from sla import services  # noqa: E402
from sla.deadlines import TargetKind, due_at  # noqa: E402
from sla.models import Policy, Priority  # noqa: E402

TARGET_PER_SECOND = 100_000


def main(pair_count: int = 100_000) -> None:
    call_command("migrate", "sla", verbosity=0)
    try:
        policy = services.policy_by_slug("standard")
    except Policy.DoesNotExist:
        policy = services.standard_policy_ensure()
    calendar = services.calendar_for(policy.calendar_id)
    priorities = [Priority.P1, Priority.P2, Priority.P3, Priority.P4]
    kinds = (TargetKind.INITIAL_RESPONSE, TargetKind.ONGOING_UPDATE)
    targets = {
        priority: [services.target_for(policy=policy, priority=priority, kind=k) for k in kinds]
        for priority in priorities
    }
    rng = random.Random(20261120)
    origin = datetime(2024, 1, 1, tzinfo=UTC)
    span = int(timedelta(days=5 * 365).total_seconds())
    pairs = [
        (rng.choice(priorities), origin + timedelta(seconds=rng.randrange(span)))
        for _ in range(pair_count)
    ]
    # Warm-up: the calendar's open intervals for these years are built once, not timed.
    for priority, start in pairs[:1000]:
        for target in targets[priority]:
            due_at(calendar, target, start)

    began = time.perf_counter()
    computed = 0
    for priority, start in pairs:
        for target in targets[priority]:
            due_at(calendar, target, start)
            computed += 1
    elapsed = time.perf_counter() - began
    rate = computed / elapsed
    verdict = "meets" if rate >= TARGET_PER_SECOND else "MISSES"
    print(
        f"{computed:,} deadlines (initial response + ORT for {pair_count:,} random "
        f"(priority, start) pairs) in {elapsed:.3f} s: "
        f"{rate:,.0f} deadlines/second ({verdict} the target of {TARGET_PER_SECOND:,}/s)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
