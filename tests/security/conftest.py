"""Fixtures of the security tests: people who can log in through allauth's real form."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import ApiKey, User
from accounts.services import create_api_key
from attachments.services import add_attachment
from compacts.models import GuidingPrinciple, Objective
from datapackages.models import DataPackage
from forums.models import Forum, ReportingRound
from goals.models import Goal, GoalContribution, OfficialFigure
from imports.models import ImportJob
from indicators.models import ProgressSnapshot, SliceKind
from matching.models import Decision, Match, Side, SupportPosition
from notifications.delivery import unsubscribe_token
from notifications.models import Kind, Notification
from partnerships.models import (
    LeadStatus,
    MembershipState,
    MultistakeholderLead,
    MultistakeholderMembership,
    MultistakeholderPledge,
)
from pledges.models import (
    Entity,
    LinkKind,
    Membership,
    MembershipStatus,
    Pledge,
    PledgeLink,
    PledgeParticipant,
    PledgeTarget,
    PledgeTranslation,
    PledgeUpdate,
    ReviewState,
    SupportType,
    UpdateReviewState,
)
from resources.models import Resource, ResourceState
from tests.factories import (
    EntityFactory,
    ExchangeRateFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    PledgeRows,
    PledgeUpdateFactory,
    UserFactory,
)
from webhooks.models import WebhookDelivery, WebhookEvent, WebhookSubscription

ATTACHMENT_PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
PASSWORD = "test-pass-2026"  # tests/factories.py gives every UserFactory user this password


@pytest.fixture
def confirmed_user(db: None) -> Callable[[str], User]:
    """`confirmed_user(email)`: a user whose address is confirmed, so the login form lets them in
    with `PASSWORD`."""

    def make(email: str) -> User:
        user = UserFactory(email=email)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    return make


ROLES = ["anonymous", "partner", "member_a", "member_b", "secretariat", "admin"]


@dataclass
class World:
    """One object of every kind the routes address, owned by entity A unless named otherwise.

    `targets` maps the object names used in the permission matrix (docs/security.md) to the URL
    keyword arguments that address them, by reference, UUID or id."""

    users: dict[str, Any]
    keys: dict[str, str]
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Request bodies named by `body=…` in the matrix: complete enough that only the permission
    # check can refuse them (an empty body would often be refused as invalid first).
    payloads: dict[str, dict[str, Any]] = field(default_factory=dict)


@pytest.fixture
def world(
    reference_data: None,
    member_a: User,
    entity_a: Entity,
    member_b: User,
    secretariat: User,
    site_admin: User,
    settings: Any,
    tmp_path: Any,
) -> World:
    # The library's files and the data package's file (routes `datapackages:package-file`) go
    # to a throwaway storage.
    settings.MEDIA_ROOT = tmp_path / "media"
    data_package = DataPackage.objects.create(
        created_at=timezone.now(),
        folder="data-packages/security",
        files=[
            {
                "name": "datapackage.json",
                "resource": "",
                "format": "json",
                "bytes": 2,
                "sha256": "",
                "rows": 0,
            }
        ],
    )
    default_storage.save("data-packages/security/datapackage.json", ContentFile(b"{}"))
    partner = UserFactory(email="partner@example.org")  # a program's user: acts for no entity
    entity_b = member_b.memberships.get().entity
    entity_c = EntityFactory(name="Entity C")
    unverified = EntityFactory(name="Ministry claimed by nobody yet", is_verified=False)
    objective = Objective.objects.get(compact__code="GCR", number=1)
    rows = PledgeRows(first=90001)  # clear of the references the services hand out

    def pledge(state: str, entity: Entity = entity_a, **fields: Any) -> Pledge:
        return rows(
            state=state,
            entity=entity,
            countries=(),
            published_at=dt.datetime(2024, 1, 15, tzinfo=dt.UTC),
            submitted_at=None if state == ReviewState.DRAFT else timezone.now(),
            **fields,
        )

    draft = pledge(ReviewState.DRAFT, title="A's confidential draft")
    submitted = pledge(ReviewState.SUBMITTED, title="A's submitted pledge")
    published = pledge(ReviewState.PUBLISHED, title="A's published pledge")
    other = pledge(ReviewState.PUBLISHED, entity=entity_c, title="C's published pledge")
    pending = PledgeUpdateFactory(pledge=published, submitted_by=member_a)
    # Approved below, once a file is attached to it (files are attached while pending).
    approved = PledgeUpdateFactory(pledge=published, submitted_by=member_a)
    for translated in (draft, published):  # a French translation to open, change and remove
        PledgeTranslation.objects.create(
            pledge=translated, language="fr", title="Titre en français", description="Texte."
        )
    invitation_b = PledgeParticipant.objects.create(pledge=published, entity=entity_b)
    invitation_c = PledgeParticipant.objects.create(pledge=draft, entity=entity_c)
    link = PledgeLink.objects.create(source=published, target=other, kind=LinkKind.SUPERSEDES)
    # Matching: A's published pledge and C's both seek and offer; C proposed matching its offer
    # with A's need (A answers), A proposed matching its offer with C's need (A may withdraw).
    financial = SupportType.objects.get(code="financial")
    for pledge_ in (published, other):
        for side in (Side.SEEKS, Side.OFFERS):
            SupportPosition.objects.create(pledge=pledge_, side=side, support_type=financial)
    position_on_draft = SupportPosition.objects.create(
        pledge=draft, side=Side.SEEKS, support_type=financial
    )
    now = timezone.now()
    match_for_a = Match.objects.create(
        seeking=published,
        offering=other,
        proposed_for=entity_c,
        offering_decision=Decision.ACCEPTED,
        offering_decided_at=now,
    )
    match_by_a = Match.objects.create(
        seeking=other,
        offering=published,
        proposed_by=member_a,
        proposed_for=entity_a,
        offering_decision=Decision.ACCEPTED,
        offering_decided_by=member_a,
        offering_decided_at=now,
    )
    # Open whatever the day the matrix runs (rounds open and close by their dates).
    round_ = ReportingRound.objects.create(
        compact=published.compact,
        title="Reporting round",
        opens_on=dt.date(2020, 1, 1),
        closes_on=dt.date(2099, 12, 31),
    )
    join_request = Membership.objects.create(
        user=UserFactory(email="applicant@example.org"),
        entity=entity_a,
        status=MembershipStatus.PENDING,
    )
    # A multistakeholder pledge led by entity B (so member B manages it), which A's published
    # pledge asked to join and A's submitted pledge is a member of; entity A is invited to lead
    # another one.
    msp = MultistakeholderPledge.objects.create(
        slug="resettlement-msp", title="Resettlement", compact=objective.compact
    )
    lead_b = MultistakeholderLead.objects.create(
        msp=msp, entity=entity_b, status=LeadStatus.ACCEPTED
    )
    lead_invitation_a = MultistakeholderLead.objects.create(
        msp=MultistakeholderPledge.objects.create(
            slug="climate-msp", title="Climate", compact=objective.compact
        ),
        entity=entity_a,
    )
    msp_request = MultistakeholderMembership.objects.create(
        msp=msp, pledge=published, state=MembershipState.REQUESTED, requested_at=timezone.now()
    )
    msp_member = MultistakeholderMembership.objects.create(
        msp=msp,
        pledge=submitted,
        state=MembershipState.ACCEPTED,
        requested_at=timezone.now(),
        decided_at=timezone.now(),
    )
    indicator = IndicatorFactory(objective=objective, code="1.1.1")
    value = IndicatorValueFactory(indicator=indicator, year=2023)
    rate = ExchangeRateFactory()
    snapshot = ProgressSnapshot.objects.create(
        objective=objective,
        slice_kind=SliceKind.OVERALL,
        date=dt.date(2024, 1, 1),
        computed_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        figures={"pledges": 1},
    )
    # A's draft counts a target towards GRF 2023's resettlement goal (goals app routes).
    goal = Goal.objects.get(forum__code="GRF23", position=1)
    contribution = GoalContribution.objects.create(
        goal=goal,
        target=PledgeTarget.objects.create(
            pledge=draft, metric="Refugees resettled", unit="persons", target_value=100
        ),
    )
    figure = OfficialFigure.objects.filter(forum__code="GRF23").order_by("pk").first()
    # A goal of the MSP that entity B leads (its managers' goals pages).
    msp_goal = Goal.objects.create(msp=msp, text="Resettle 100", unit="persons", target_value=100)
    # A file on each of A's draft, published pledge, pending and approved update (the
    # attachments app's routes): added through the service, as people do.
    attachments = {
        name: add_attachment(
            pledge=parent.pledge if isinstance(parent, PledgeUpdate) else parent,
            update=parent if isinstance(parent, PledgeUpdate) else None,
            file=ContentFile(ATTACHMENT_PDF, name="evidence.pdf"),
            name="evidence.pdf",
            size=len(ATTACHMENT_PDF),
            by=secretariat,
        )
        for name, parent in (
            ("A-draft-attachment", draft),
            ("A-published-attachment", published),
            ("A-update-pending-attachment", pending),
            ("A-update-approved-attachment", approved),
        )
    }
    PledgeUpdate.objects.filter(pk=approved.pk).update(
        review_state=UpdateReviewState.APPROVED, reviewed_at=timezone.now()
    )
    approved.refresh_from_db()
    users = {
        "partner": partner,
        "member_a": member_a,
        "member_b": member_b,
        "secretariat": secretariat,
        "admin": site_admin,
    }
    keys = {
        role: create_api_key(user=user, name=f"{role}'s program")[1] for role, user in users.items()
    }
    key_a = ApiKey.objects.get(user=member_a)
    # An uploaded file of pledges, its dry run not yet run (the Import page's routes).
    import_job = ImportJob.objects.create(
        kind="pledges",
        filename="pledges.csv",
        content=b"External id,Title,Submitting entity\r\nX-1,Schools,Entity A\r\n",
        columns={"External id": "external_id", "Title": "title", "Submitting entity": "entity"},
        report={"headers": ["External id", "Title", "Submitting entity"], "sheets": []},
        created_by=secretariat,
    )
    # Member A's webhook subscription with one delivery (only its owner reaches either).
    subscription = WebhookSubscription.objects.create(
        owner=member_a,
        url="https://example.org/hooks/cpt",
        event_types=["pledge.published"],
        secret="whsec_c2VjdXJpdHktbWF0cml4LXNlY3JldC1rZXktMzI=",
    )
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event=WebhookEvent.objects.create(
            message_id="msg_matrix", event_type="pledge.published", payload={"type": "x"}
        ),
        state="failed",
    )
    # The library: a published resource with a file, and a practice A submitted that the
    # secretariat returned for changes (its file too: only A and the secretariat download it).
    library_resource = Resource.objects.create(
        title="Published guide", url="https://example.org/guide", state=ResourceState.PUBLISHED
    )
    practice_a = Resource.objects.create(
        title="A's practice",
        resource_type="practice",
        url="https://example.org/practice",
        entity=entity_a,
        submitted_by=member_a,
        state=ResourceState.CHANGES_REQUESTED,
    )
    for resource in (library_resource, practice_a):
        resource.file.save("matrix.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
        resource.file_name, resource.file_type = "matrix.pdf", "application/pdf"
        resource.save()
    notification = Notification.objects.create(
        user=member_a, kind=Kind.COMMENT, subject="A comment", url="/my/"
    )
    return World(
        users=users,
        keys=keys,
        targets={
            "-": {},
            "A-draft": {"reference": draft.reference},
            "A-submitted": {"reference": submitted.reference},
            "A-published": {"reference": published.reference},
            "A-update-pending": {
                "pk": pending.pk,
                "id": pending.public_id,
                "reference": published.reference,
                "update": pending.public_id,
            },
            "A-update-approved": {
                "pk": approved.pk,
                "id": approved.public_id,
                "reference": published.reference,
                "update": approved.public_id,
            },
            **{
                name: {"public_id": attachment.public_id}
                for name, attachment in attachments.items()
            },
            "invitation-B": {"pk": invitation_b.pk},
            "invitation-C-on-A-draft": {"pk": invitation_c.pk},
            "A-link": {"pk": link.pk},
            "A-position": {"pk": position_on_draft.pk},
            "A-match": {"public_id": match_for_a.public_id, "id": match_for_a.public_id},
            "A-match-own": {"public_id": match_by_a.public_id, "id": match_by_a.public_id},
            "A-join-request": {"pk": join_request.pk},
            "A-key": {"pk": key_a.pk},
            "msp": {"slug": msp.slug},
            "A-msp-request": {"pk": msp_request.pk},
            "A-msp-member": {"pk": msp_member.pk},
            "lead-invitation-A": {"pk": lead_invitation_a.pk},
            "lead-B": {"pk": lead_b.pk},
            "entity-A": {"public_id": entity_a.public_id},
            "entity-unverified": {"public_id": unverified.public_id},
            "compact": {"code": "GCR"},
            "objective": {"compact": "GCR", "number": 1, "pk": objective.pk},
            "principle": {"pk": GuidingPrinciple.objects.order_by("pk").first().pk},
            "forum": {"code": "GRF23"},
            "A-draft-contribution": {"reference": draft.reference, "pk": contribution.pk},
            "goal": {"pk": goal.pk},
            "msp-goal": {"slug": msp.slug, "pk": msp_goal.pk},
            "official-figure": {"pk": figure.pk},
            "document": {"slug": "grf-2023-co-hosts-summary"},
            "round": {"pk": round_.pk},
            "indicator": {"pk": indicator.pk},
            "indicator-page": {"edition": indicator.edition.slug, "code": indicator.code},
            "indicator-value": {"pk": value.pk},
            "exchange-rate": {"pk": rate.pk},
            "progress": {"pk": snapshot.pk},
            "data-package": {"public_id": data_package.public_id},
            "data-package-file": {"public_id": data_package.public_id, "name": "datapackage.json"},
            "import": {"public_id": import_job.public_id},
            "A-webhook": {"public_id": subscription.public_id, "id": subscription.public_id},
            "A-webhook-delivery": {
                "public_id": subscription.public_id,
                "delivery_id": delivery.public_id,
                "id": delivery.public_id,
            },
            "resource": {"public_id": library_resource.public_id},
            "A-practice": {"public_id": practice_a.public_id},
            "email-key": {"key": "not-a-real-key"},
            "A-notification": {"pk": notification.pk},
            "unsubscribe": {"token": unsubscribe_token(member_a.email, Kind.COMMENT)},
            "reset-key": {"uidb36": "1", "key": "not-a-real-key"},
        },
        payloads={
            "duplicate": {"duplicate": "mark", "target": other.reference, "reason": "The same."},
            "link": {"reference": other.reference, "kind": LinkKind.DUPLICATE_OF},
            "accept": {"response": "accept"},
            "position": {"side": "seeks", "support_type": "financial"},
            "propose": {"seeking": published.reference, "offering": other.reference},
            "decide-accept": {"decision": "accept"},
            "join-msp": {"msp": lead_invitation_a.msp_id},
            "msp-link": {"reference": other.reference},
            "invite-lead": {"entity": "Entity C"},
            "msp-new": {"title": "Education", "compact": objective.compact_id, "status": "active"},
            "outcomes": {
                "outcomes-TOTAL_FORMS": "1",
                "outcomes-INITIAL_FORMS": "0",
                "outcomes-0-text": "More places",
            },
            "msp-goal": {"text": "Resettle 200", "unit": "persons", "target_value": "200"},
            "reaffirm": {"forum": Forum.objects.get(code="PR25").pk},
            "round": {
                "title": "A round by whoever could",
                "compact": published.compact_id,
                "opens_on": "2026-01-01",
                "closes_on": "2026-12-31",
            },
            "rename": {"title": "Renamed by whoever could"},
            "practice": {
                "title": "A practice by whoever could",
                "summary": "What was done and what it achieved.",
                "url": "https://example.org/whoever",
            },
            "resource": {
                "title": "A resource by whoever could",
                "resource_type": "tool",
                "url": "https://example.org/whoever",
            },
            "criteria": {"text": "Criteria by whoever could."},
            "unverify": {"reason": "Withdrawn by whoever could."},
            "comment": {"body": "A question from whoever could."},
            "update": {
                "status": "in_progress",
                "narrative": "Enrolment started in three counties.",
                "reported_on": "2024-06-30",
            },
            "attachment": {"file": ContentFile(ATTACHMENT_PDF, name="more-evidence.pdf")},
            "update-on-A": {
                "pledge": published.reference,
                "status": "in_progress",
                "narrative": "Enrolment started in three counties.",
                "reported_on": "2024-06-30",
            },
            "pledge-for-A": {
                "title": "A pledge in entity A's name",
                "description": "Written by whoever could.",
                "compact": "GCR",
                "forum": "GRF23",
                "objectives": [1],
                "entity": str(entity_a.public_id),
            },
        },
    )
