"""The default calendar (Helsinki office hours, Finnish holidays) and the standard policy of the
service description. Later changes belong in admin, not here."""

from django.db import migrations

from sla.standard import HELSINKI_CALENDAR, HELSINKI_WINDOWS, STANDARD_POLICY, STANDARD_TARGETS


def create_standard(apps, schema_editor):
    Calendar = apps.get_model("sla", "Calendar")
    OpeningWindow = apps.get_model("sla", "OpeningWindow")
    Policy = apps.get_model("sla", "Policy")
    PolicyTarget = apps.get_model("sla", "PolicyTarget")

    calendar_fields = dict(HELSINKI_CALENDAR)
    calendar, created = Calendar.objects.get_or_create(
        slug=calendar_fields.pop("slug"), defaults=calendar_fields
    )
    if created:
        OpeningWindow.objects.bulk_create(
            OpeningWindow(calendar=calendar, weekday=weekday, opens=opens, closes=closes)
            for weekday, opens, closes in HELSINKI_WINDOWS
        )
    policy_fields = dict(STANDARD_POLICY)
    policy, created = Policy.objects.get_or_create(
        slug=policy_fields.pop("slug"), defaults={**policy_fields, "calendar": calendar}
    )
    if created:
        PolicyTarget.objects.bulk_create(
            PolicyTarget(
                policy=policy, priority=priority, kind=kind, clock=clock, amount=amount, unit=unit
            )
            for priority, kind, clock, amount, unit in STANDARD_TARGETS
        )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]
    operations = [migrations.RunPython(create_standard, migrations.RunPython.noop)]
