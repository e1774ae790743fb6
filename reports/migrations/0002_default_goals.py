from django.db import migrations


def default_goals(apps, schema_editor):
    """95 % for every target until an administrator says otherwise."""
    ComplianceGoal = apps.get_model("reports", "ComplianceGoal")
    for kind in ("initial_response", "ongoing_update", "resolution", "delivery"):
        ComplianceGoal.objects.get_or_create(kind=kind, priority="", defaults={"goal_percent": 95})


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(default_goals, migrations.RunPython.noop)]
