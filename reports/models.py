"""What the reports measure against: the compliance goal of each target, as data."""

from collections.abc import Callable
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from sla.models import Priority
from tickets.models import TicketTarget

DEFAULT_GOAL = Decimal("95.0")


class ComplianceGoal(models.Model):
    """The share of targets of one kind (optionally of one priority) that should be met. The
    most specific goal applies: kind and priority, then the kind for every priority."""

    kind = models.CharField(max_length=20, choices=TicketTarget.Kind.choices)
    priority = models.CharField(
        max_length=2, choices=Priority.choices, blank=True, help_text="Empty: every priority."
    )
    goal_percent = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=DEFAULT_GOAL,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        ordering = ["kind", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "priority"], name="compliance_goal_once"),
            models.CheckConstraint(
                name="compliance_goal_range",
                condition=models.Q(goal_percent__gt=0, goal_percent__lte=100),
                violation_error_message="A goal lies between 0.1 % and 100 %.",
            ),
        ]

    def __str__(self) -> str:
        scope = self.priority or "every priority"
        return f"{self.get_kind_display()} ({scope}): {self.goal_percent} %"

    @classmethod
    def lookup(cls) -> Callable[[str, str], Decimal]:
        """A function ``goal(kind, priority)`` over the goals as they are now (one query)."""
        goals = {(g.kind, g.priority): g.goal_percent for g in cls.objects.all()}

        def goal(kind: str, priority: str) -> Decimal:
            return goals.get((kind, priority), goals.get((kind, ""), DEFAULT_GOAL))

        return goal
