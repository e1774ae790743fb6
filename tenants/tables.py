import django_tables2 as tables

from .models import User


class ContactTable(tables.Table):
    full_name = tables.LinkColumn(
        "tenants:contact_edit", args=[tables.A("pk")], verbose_name="Name"
    )
    email = tables.Column()
    contact_role = tables.Column(verbose_name="Role")
    phone = tables.Column(empty_values=(), default="—")
    is_active = tables.BooleanColumn(verbose_name="Active")

    class Meta:
        model = User
        fields = ("full_name", "email", "contact_role", "phone", "is_active")
        order_by = ("full_name",)
        empty_text = "Your organisation has no contacts yet."
        attrs = {"class": "table"}
