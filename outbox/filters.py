import django_filters

from .models import OutgoingMail

State = OutgoingMail.State


class UndeliveredFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        choices=[
            (State.FAILED, "Not delivered"),
            (State.PENDING, "Waiting"),
            (State.SENDING, "Being sent"),
        ],
        empty_label="All undelivered",
        label="State",
    )

    class Meta:
        model = OutgoingMail
        fields = ["state"]
