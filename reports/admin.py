from django.contrib import admin

from .models import ComplianceGoal


@admin.register(ComplianceGoal)
class ComplianceGoalAdmin(admin.ModelAdmin):
    list_display = ("kind", "priority", "goal_percent")
    list_editable = ("goal_percent",)
