"""The two demo accounts: a secretariat reviewer and a stakeholder who edits for the showcase
entity. Their password is published in the README, which is why seed_demo refuses to run with
DEBUG off unless forced."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress

from accounts.models import User
from pledges.models import Membership, MembershipRole, MembershipStatus
from pledges.roles import ensure_secretariat_group

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - published in the README; demo databases only
SECRETARIAT_EMAIL = "secretariat@example.org"
STAKEHOLDER_EMAIL = "stakeholder@example.org"


@dataclass(frozen=True)
class DemoAccounts:
    secretariat: User
    stakeholder: User


def ensure_demo_accounts(*, showcase_entity_id: int) -> DemoAccounts:
    """Create or refresh the two demo accounts (get_or_create, password reset on every run)."""
    group, _ = ensure_secretariat_group()
    secretariat, _ = User.objects.get_or_create(
        email=SECRETARIAT_EMAIL, defaults={"full_name": "Demo Secretariat Reviewer"}
    )
    secretariat.is_staff = True
    secretariat.is_active = True
    secretariat.set_password(DEMO_PASSWORD)
    secretariat.save()
    secretariat.groups.add(group)

    stakeholder, _ = User.objects.get_or_create(
        email=STAKEHOLDER_EMAIL, defaults={"full_name": "Demo Stakeholder"}
    )
    stakeholder.is_active = True
    stakeholder.set_password(DEMO_PASSWORD)
    stakeholder.save()
    Membership.objects.update_or_create(
        user=stakeholder,
        entity_id=showcase_entity_id,
        defaults={"role": MembershipRole.EDITOR, "status": MembershipStatus.ACTIVE},
    )
    for user in (secretariat, stakeholder):
        # Log-in requires a confirmed address (ACCOUNT_EMAIL_VERIFICATION = "mandatory").
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    return DemoAccounts(secretariat=secretariat, stakeholder=stakeholder)
