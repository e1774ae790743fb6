"""Writes on organisations' contact accounts. Every rule that spans rows lives here."""

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from audit.models import AuditAction
from audit.services import audit_record
from lib.formatting import day
from lib.mail import compose
from lib.urls import absolute_reverse
from outbox.services import mail_enqueue

from .models import ContactRole, Heartbeat, Tenant, User
from .preferences import default_time_zone, mail_choices


def _require_admin_of(actor: User, organisation_id: int) -> None:
    if not actor.is_customer_admin:
        raise PermissionDenied(
            "Only a main contact or a technical administrator can manage contacts."
        )
    if actor.organisation_id != organisation_id:
        raise ValidationError(
            "You can only manage contacts of your own organisation.", code="foreign_organisation"
        )


def _check_email_free(email: str, *, exclude_pk: int | None = None) -> str:
    email = User.objects.normalize_email(email).strip().lower()
    clash = User.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            {
                "email": ValidationError(
                    "A user with this email address already exists.", code="duplicate_email"
                )
            }
        )
    return email


def _send_welcome(user: User) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = absolute_reverse("password_reset_confirm", uidb64=uid, token=token)
    mail_enqueue(
        [
            compose(
                subject="Your support portal account",
                template="tenants/email/welcome.txt",
                context={"user": user, "link": link},
                to=[user.email],
            )
        ]
    )


@transaction.atomic
def contact_create(
    *,
    actor: User,
    organisation_id: int,
    email: str,
    full_name: str,
    contact_role: str,
    phone: str = "",
) -> User:
    """Create a contact account in the actor's organisation and email a link to set a password."""
    _require_admin_of(actor, organisation_id)
    email = _check_email_free(email)
    if contact_role not in ContactRole.values:
        raise ValidationError(
            {"contact_role": ValidationError("Choose a valid role.", code="invalid_role")}
        )
    user = User(
        email=email,
        full_name=full_name.strip(),
        phone=phone.strip(),
        organisation_id=organisation_id,
        contact_role=contact_role,
    )
    user.time_zone = default_time_zone(user)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    audit_record(action=AuditAction.CONTACT_CREATED, actor=actor, target=user, role=contact_role)
    _send_welcome(user)
    return user


@transaction.atomic
def contact_update(
    *, actor: User, contact: User, email: str, full_name: str, contact_role: str, phone: str = ""
) -> User:
    _require_admin_of(actor, contact.organisation_id)
    email = _check_email_free(email, exclude_pk=contact.pk)
    if contact == actor and contact_role not in (ContactRole.MAIN, ContactRole.TECHNICAL_ADMIN):
        raise ValidationError(
            {
                "contact_role": ValidationError(
                    "You cannot remove your own administrator role; ask another administrator.",
                    code="cannot_demote_self",
                )
            }
        )
    old_role = contact.contact_role
    before = {f: getattr(contact, f) for f in ("email", "full_name", "phone", "contact_role")}
    contact.email = email
    contact.full_name = full_name.strip()
    contact.phone = phone.strip()
    contact.contact_role = contact_role
    contact.full_clean()
    contact.save(update_fields=["email", "full_name", "phone", "contact_role"])
    changed = sorted(f for f, value in before.items() if getattr(contact, f) != value)
    audit_record(action=AuditAction.CONTACT_UPDATED, actor=actor, target=contact, fields=changed)
    if contact_role != old_role:
        audit_record(
            action=AuditAction.ROLE_CHANGED,
            actor=actor,
            target=contact,
            old=old_role,
            new=contact_role,
        )
    return contact


@transaction.atomic
def contact_set_active(*, actor: User, contact: User, active: bool) -> User:
    """Deactivate or reactivate a contact. A deactivated contact's sessions end at once and
    never come back, not even when the contact is reactivated."""
    _require_admin_of(actor, contact.organisation_id)
    if not active and contact.pk == actor.pk:
        raise ValidationError(
            "You cannot deactivate your own account.", code="cannot_deactivate_self"
        )
    contact.is_active = active
    # Saving an inactive person ends all their sessions (accounts.receivers), wherever it
    # happens: here, in the admin or in a shell.
    contact.save(update_fields=["is_active"])
    action = AuditAction.CONTACT_REACTIVATED if active else AuditAction.CONTACT_DEACTIVATED
    audit_record(action=action, actor=actor, target=contact)
    return contact


def heartbeat_record(*, name: str, now=None) -> Heartbeat:
    """Record that the periodic job ``name`` ran; one row per job."""
    now = now or timezone.now()
    beat, _ = Heartbeat.objects.update_or_create(name=name, defaults={"last_seen_at": now})
    return beat


def tenant_check_provisioning(*, tenant: Tenant, provisioned_at, now=None) -> None:
    """Raise ``ValidationError`` unless ``provisioned_at`` may be recorded for ``tenant``."""
    now = now or timezone.now()
    if tenant.provisioned_at is not None:
        raise ValidationError(
            {
                "provisioned_at": ValidationError(
                    f"{tenant} was provisioned on "
                    f"{day(tenant.provisioned_at)}; SLA measurement "
                    "started then and the date cannot move.",
                    code="provisioning_final",
                )
            }
        )
    if provisioned_at > now:
        raise ValidationError(
            {
                "provisioned_at": ValidationError(
                    "Provisioning cannot complete in the future.", code="provisioning_future"
                )
            }
        )
    signed = tenant.organisation.contract_signed_on
    if signed is not None and timezone.localtime(provisioned_at).date() < signed:
        raise ValidationError(
            {
                "provisioned_at": ValidationError(
                    f"The contract was signed on {day(signed)}; provisioning cannot complete "
                    "before that.",
                    code="provisioning_before_contract",
                )
            }
        )


@transaction.atomic
def tenant_record_provisioning(*, tenant: Tenant, provisioned_at, now=None) -> Tenant:
    """Record when a tenant's provisioning completed, for tenants provisioned before the
    portal's onboarding checklists (whose provisioning step records it). SLA measurement and
    invoicing start there, so it is set once and never moved."""
    tenant = Tenant.objects.select_for_update().select_related("organisation").get(pk=tenant.pk)
    tenant_check_provisioning(tenant=tenant, provisioned_at=provisioned_at, now=now)
    tenant.provisioned_at = provisioned_at
    tenant.save(update_fields=["provisioned_at"])
    return tenant


@transaction.atomic
def person_set_preferences(*, person: User, time_zone: str, quiet_mail: list[str]) -> User:
    """A person's own time zone and the mail they turned off. Kinds the person cannot receive
    are refused; kinds a rule keeps on stay on whatever the list says (``preferences``)."""
    allowed = {str(kind) for kind in mail_choices(person)}
    unknown = sorted(set(quiet_mail) - allowed)
    if unknown:
        raise ValidationError(
            {
                "quiet_mail": ValidationError(
                    f"Unknown kinds of mail: {', '.join(unknown)}.", code="unknown_mail"
                )
            }
        )
    person.time_zone = time_zone
    person.quiet_mail = sorted(set(quiet_mail))
    person.full_clean(exclude=["password"])
    person.save(update_fields=["time_zone", "quiet_mail"])
    return person
