"""The standard onboarding steps of the service description §3, table 1 "Onboarding Steps"
(plus testing and the go-live schedule of §3.2.4), who does each, and when each falls due:
tenant provisioning (and the superuser account that comes with it) within five working days of
the customer's SLA calendar after signing, the go-live schedule two weeks before the planned
go-live, testing by go-live. Working days are the SLA engine's (``sla.deadlines``).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sla import services as sla
from sla.deadlines import (
    BusinessCalendar,
    working_days_after,
)
from tenants.models import Organisation

from .models import (
    OnboardingParty,
    OnboardingPhase,
)

PROVISIONING_WORKING_DAYS = 5  # §3.1 "within five working days after signing of the contract"
GO_LIVE_SCHEDULE_LEAD = timedelta(days=14)  # §3.2.4 "at least two weeks before go-live"


class Step:
    """Codes of the standard steps."""

    CONTRACT = "contract"
    TENANT_PROVISIONING = "tenant_provisioning"
    SUPERUSER_ACCOUNT = "superuser_account"
    KICK_OFF_CALL = "kick_off_call"
    MESSAGING = "messaging"
    VOICE_VENDOR = "voice_vendor"
    VOICE_THIRD_PARTY = "voice_third_party"
    EMAIL_CONFIGURATION = "email_configuration"
    CHAT_AND_CHATBOT = "chat_and_chatbot"
    STANDARD_API_INTEGRATIONS = "standard_api_integrations"
    TESTING = "testing"
    GO_LIVE_SCHEDULE = "go_live_schedule"


@dataclass(frozen=True)
class StepSpec:
    code: str
    name: str
    phase: str
    responsible: str
    description: str


Phase, Party = OnboardingPhase, OnboardingParty
STANDARD_STEPS: tuple[StepSpec, ...] = (
    StepSpec(
        Step.CONTRACT,
        "Signing the contract",
        Phase.PROVISIONING,
        Party.CUSTOMER,
        "The customer signs a contract with the vendor; the order triggers provisioning.",
    ),
    StepSpec(
        Step.TENANT_PROVISIONING,
        "Tenant provisioning",
        Phase.PROVISIONING,
        Party.VENDOR,
        "The vendor provisions the tenant within five working days and sends the tenant-ready "
        "notification. SLA measurement and invoicing start here.",
    ),
    StepSpec(
        Step.SUPERUSER_ACCOUNT,
        "Superuser account creation",
        Phase.PROVISIONING,
        Party.VENDOR,
        "The vendor creates a superuser account and sends the details to the technical "
        "administrator.",
    ),
    StepSpec(
        Step.KICK_OFF_CALL,
        "Kick-off call",
        Phase.CONFIGURATION,
        Party.VENDOR,
        "The vendor arranges a kick-off call with the customer or their partner.",
    ),
    StepSpec(
        Step.MESSAGING,
        "Messaging (Conversation API or SMS)",
        Phase.CONFIGURATION,
        Party.VENDOR,
        "The vendor configures the messaging channel integration.",
    ),
    StepSpec(
        Step.VOICE_VENDOR,
        "Voice connection (vendor's Voice API)",
        Phase.CONFIGURATION,
        Party.VENDOR,
        "The vendor configures the SIP trunk.",
    ),
    StepSpec(
        Step.VOICE_THIRD_PARTY,
        "Voice connection (3rd party)",
        Phase.CONFIGURATION,
        Party.CUSTOMER_OPERATOR,
        "The customer or partner files a service request for the SIP trunk configuration.",
    ),
    StepSpec(
        Step.EMAIL_CONFIGURATION,
        "Email configuration",
        Phase.CONFIGURATION,
        Party.CUSTOMER,
        "The customer or partner configures the email servers (IMAP, SMTP) in System Configurator.",
    ),
    StepSpec(
        Step.CHAT_AND_CHATBOT,
        "Chat and chatbot",
        Phase.CONFIGURATION,
        Party.CUSTOMER,
        "The customer or partner configures chat and chatbot.",
    ),
    StepSpec(
        Step.STANDARD_API_INTEGRATIONS,
        "Integrations with standard APIs",
        Phase.CONFIGURATION,
        Party.CUSTOMER_PARTNER,
        "The customer or partner completes the integrations with the standard APIs.",
    ),
    StepSpec(
        Step.TESTING,
        "Testing",
        Phase.GO_LIVE,
        Party.CUSTOMER,
        "The customer or partner tests the final configuration: profiles, user rights, voice "
        "menus, queues, directory and calls to emergency numbers.",
    ),
    StepSpec(
        Step.GO_LIVE_SCHEDULE,
        "Go-live schedule",
        Phase.GO_LIVE,
        Party.CUSTOMER,
        "The customer gives the vendor a detailed go-live schedule at least two weeks before "
        "go-live.",
    ),
)
# Steps every order has: they cannot be marked not applicable.
REQUIRED_STEPS = frozenset({Step.CONTRACT, Step.TENANT_PROVISIONING})


# --- dates -------------------------------------------------------------------------------------


def calendar_of(organisation: Organisation) -> BusinessCalendar:
    return sla.calendar_for(organisation.sla_policy.calendar_id)


def provisioning_due_on(organisation: Organisation, signed_on: date) -> date:
    """The fifth working day of the organisation's SLA calendar after ``signed_on``."""
    return working_days_after(calendar_of(organisation), signed_on, PROVISIONING_WORKING_DAYS)


def go_live_dates(planned_go_live: date | None) -> dict[str, date | None]:
    if planned_go_live is None:
        return {Step.TESTING: None, Step.GO_LIVE_SCHEDULE: None}
    return {
        Step.TESTING: planned_go_live,
        Step.GO_LIVE_SCHEDULE: planned_go_live - GO_LIVE_SCHEDULE_LEAD,
    }
