"""One ``reverse()`` for a page's many links of one kind."""

from django.urls import reverse

from lib.urls import SLOT, reverse_each


def test_each_filled_in_address_is_the_one_reverse_gives():
    detail = reverse_each("tickets:detail", SLOT)
    take = reverse_each("tickets:action", SLOT, "take")
    action = reverse_each("tickets:action", 42, "_action_", slot="_action_")
    for pk in (1, 98765, 987654321 - 1):
        assert detail(pk) == reverse("tickets:detail", args=[pk])
        assert take(pk) == reverse("tickets:action", args=[pk, "take"])
    for name in ("reply", "wait_for_customer"):
        assert action(name) == reverse("tickets:action", args=[42, name])
