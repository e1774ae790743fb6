"""The maintenance slots of §5.1.1 and §5.1.2 and the 99.92 % target of §4.3.1. Later changes
belong in admin, not here."""

from django.db import migrations

from availability.standard import (
    DEFAULT_TARGET_PERCENT,
    QUARTERLY_SLOTS,
    SLOTS_EFFECTIVE_FROM,
    WEEKLY_SLOTS,
)


def load(apps, schema_editor):
    AvailabilityTarget = apps.get_model("availability", "AvailabilityTarget")
    MaintenanceSlot = apps.get_model("availability", "MaintenanceSlot")
    if not AvailabilityTarget.objects.filter(policy__isnull=True).exists():
        AvailabilityTarget.objects.create(policy=None, percent=DEFAULT_TARGET_PERCENT)
    for kind, slots in (("weekly", WEEKLY_SLOTS), ("quarterly", QUARTERLY_SLOTS)):
        for region, weekday, starts_at, minutes in slots:
            MaintenanceSlot.objects.get_or_create(
                region=region,
                kind=kind,
                effective_from=SLOTS_EFFECTIVE_FROM,
                defaults={"weekday": weekday, "starts_at": starts_at, "duration_minutes": minutes},
            )


class Migration(migrations.Migration):
    dependencies = [("availability", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
