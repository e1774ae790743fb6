"""``manage.py sla_due``: when does a target fall due? (SPEC "Deadline calculator")."""

import json
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from sla import services
from sla.deadlines import PRIORITY_TARGET_KINDS, TargetKind
from sla.models import Policy, Priority


class Command(BaseCommand):
    help = (
        "Print, as one line of JSON, when a target of an SLA policy falls due for an event at "
        'START: {"due": "<ISO 8601 instant in the calendar\'s time zone>"} or {"due": null} '
        "where the priority has no such target."
    )

    def add_arguments(self, parser):
        parser.add_argument("--policy", required=True, help="Policy slug, e.g. standard.")
        parser.add_argument("--priority", required=True, help="Priority, e.g. P3.")
        parser.add_argument(
            "--target",
            required=True,
            help="One of " + ", ".join(kind.value for kind in PRIORITY_TARGET_KINDS) + ".",
        )
        parser.add_argument(
            "--start",
            required=True,
            help="ISO 8601 instant with a UTC offset, e.g. 2026-11-20T15:00:00+02:00.",
        )
        parser.add_argument(
            "--product-defect",
            action="store_true",
            help="The ticket is a confirmed product defect (changes the P3 ongoing update).",
        )

    def handle(self, *args, **options):
        start = parse_start(options["start"])
        kind = parse_target(options["target"])
        try:
            policy = services.policy_by_slug(options["policy"])
        except Policy.DoesNotExist:
            known = ", ".join(Policy.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(
                f"Unknown policy {options['policy']!r}; known policies: {known}."
            ) from None
        priority = parse_priority(options["priority"], policy)
        due = services.compute_due(
            policy=policy,
            priority=priority,
            kind=kind,
            start=start,
            product_defect=options["product_defect"],
        )
        if due is not None:
            due = due.astimezone(policy.calendar.tz).isoformat()
        self.stdout.write(json.dumps({"due": due}))


def parse_start(value: str) -> datetime:
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--start {value!r} is not an ISO 8601 instant; use e.g. 2026-11-20T15:00:00+02:00."
        ) from None
    if start.tzinfo is None or start.utcoffset() is None:
        raise CommandError(
            f"--start {value!r} has no UTC offset; add one, e.g. 2026-11-20T15:00:00+02:00."
        )
    return start


def parse_target(value: str) -> TargetKind:
    if value in PRIORITY_TARGET_KINDS:
        return TargetKind(value)
    else:
        choices = ", ".join(kind.value for kind in PRIORITY_TARGET_KINDS)
        raise CommandError(f"Unknown target {value!r}; use one of {choices}.") from None


def parse_priority(value: str, policy: Policy) -> str:
    priority = value.strip().upper()
    if priority not in Priority.values:
        raise CommandError(f"Unknown priority {value!r}; use one of {', '.join(Priority.values)}.")
    used = services.priorities_of(policy)
    if priority not in used:
        raise CommandError(
            f"Policy {policy.slug!r} has no priority {priority}; it uses {', '.join(used)}."
        )
    return priority
