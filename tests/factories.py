"""factory_boy factories for the portal's models."""

import factory

from sla.services import standard_policy_ensure
from tenants.demo import DEMO_PASSWORD
from tenants.models import ContactRole, DataCentre, Organisation, Tenant, User


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    # Not left to the field default: a transactional test empties the tables the migrations
    # filled, and the default policy must exist again for the next organisation.
    sla_policy = factory.LazyFunction(standard_policy_ensure)


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"tenant-{n}")
    kind = Tenant.Kind.PRODUCTION
    data_centre = DataCentre.EU


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ContactFactory(UserFactory):
    organisation = factory.SubFactory(OrganisationFactory)
    contact_role = ContactRole.CONTACT
