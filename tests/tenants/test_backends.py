"""Permissions come from the person and their groups, in one query."""

from django.contrib.auth.models import Permission

from tests.factories import UserFactory


def test_a_person_has_their_groups_and_their_own_permissions_read_at_once(
    engineers, manager, django_assert_num_queries
):
    engineer = type(engineers["L1"]).objects.get(pk=engineers["L1"].pk)
    engineer.user_permissions.add(Permission.objects.get(codename="view_ticket"))
    engineer = type(engineer).objects.get(pk=engineer.pk)
    with django_assert_num_queries(1):
        assert engineer.has_perm("tenants.work_tickets")
        assert engineer.has_perm("tickets.view_ticket")
        assert not engineer.has_perm("tenants.manage_support")
    fresh_manager = type(manager).objects.get(pk=manager.pk)
    assert fresh_manager.has_perm("tenants.manage_support")


def test_inactive_people_and_outsiders_have_no_permissions(engineers, db):
    engineer = engineers["L1"]
    engineer.is_active = False
    assert not engineer.has_perm("tenants.work_tickets")
    assert not UserFactory().has_perm("tenants.work_tickets")
