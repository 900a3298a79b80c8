"""README's journeys done by somebody who reads no English, in Arabic and in French, in a real
headless Chromium: from the home page, sign up (the confirmation e-mail comes in the page's
language), register an entity, which the secretariat verifies; create and submit a pledge, which
the secretariat publishes from its review queue; then read the public pledge and the dashboard.

Every element is found by its role and its name in the page's language, taken from the catalogs
(never typed here), and every page is checked: `<html lang dir>`, the chosen labels in the
language and not in English, no English sentence of the interface anywhere, no sideways scroll.
Screenshots: test-artifacts/journey-<language>-<step>.png, and the home page and dashboard of all
six languages in test-artifacts/home-<language>.png and dashboard-<language>.png."""

import re
from pathlib import Path
from typing import Any

import pytest
from allauth.account.forms import LoginForm
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import Browser, Page, expect

from accounts.forms import SignupForm
from accounts.models import User
from compacts.models import Compact, Objective
from core.models import Country
from forums.models import Forum
from pledges.entity_forms import EntityRegistrationForm
from pledges.forms import PledgeForm
from pledges.models import Entity, Pledge, ReviewState
from pledges.roles import ensure_secretariat_group
from pledges.workflow import PLEDGE_TRANSITIONS
from tests.factories import UserFactory

from .test_dashboard import DRAWN

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "journey-pass-2026"
REVIEWER = "reviewer@secretariat.example.org"
# What each person types, in their own language.
TYPED = {
    "ar": {
        "name": "ليلى حداد",
        "entity": "الهيئة الوطنية لشؤون اللاجئين",
        "title": "فتح المدارس الوطنية أمام الأطفال اللاجئين",
        "description": "ستسجل وزارة التعليم الأطفال اللاجئين في المدارس الابتدائية الوطنية.",
    },
    "fr": {
        "name": "Élise Martin",
        "entity": "Office national d'accueil des réfugiés",
        "title": "Ouvrir les écoles nationales aux enfants réfugiés",
        "description": "Le ministère inscrira les enfants réfugiés dans les écoles primaires.",
    },
}
# The width of the page against the window's: a page wider than its window scrolls sideways.
WIDTHS = "() => [document.documentElement.scrollWidth, window.innerWidth]"
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def tr(language: str, text: Any) -> str:
    """A message, a lazy label or a translated field's value as `language` reads it."""
    with translation.override(language):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def name_in(language: str, item: Any, field: str = "name") -> str:
    """A reference text (a translated field) as `language` reads it."""
    with translation.override(language):
        return str(getattr(item, field))


def _interface_sentences(language: str) -> list[str]:
    """English sentences of the interface (catalog messages of three words or more, without
    placeholders) whose translation into `language` differs from them: none should show on a
    page in that language."""
    with translation.override(language):
        catalog = translation.trans_real.translation(language)._catalog  # type: ignore[attr-defined]
        return [
            msgid
            for msgid, text in catalog.items()
            if isinstance(msgid, str)
            and msgid.count(" ") >= 2
            and "%" not in msgid
            and "{" not in msgid
            and text != msgid
        ]


def _around(text: str, sentence: str) -> str:
    """`sentence` in its context on the page, to find where it comes from."""
    at = text.index(sentence)
    return f"{sentence!r} in …{text[max(0, at - 60) : at + len(sentence) + 60]}…"


class Visitor:
    """A person reading the site in one language, in a browser context of their own."""

    def __init__(self, browser: Browser, base: str, language: str, who: str, artifacts: Path):
        self.page: Page = browser.new_context(locale=language).new_page()
        self.page.set_default_timeout(5_000)  # fail fast: every page answers in well under 1 s
        self.base, self.language, self.who, self.artifacts = base, language, who, artifacts
        self.english = _interface_sentences(language)
        self.errors: list[str] = []
        # English names of the reference data the journey uses (forum, objective, …): shown in
        # the page's language wherever they appear.
        self.reference_english: list[str] = []
        # English text found on the way: gathered, so that one run lists every page's.
        self.problems: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def t(self, text: Any) -> str:
        return tr(self.language, text)

    def main(self) -> Any:
        return self.page.get_by_role("main")

    def link(self, text: Any, *, within: Any = None) -> Any:
        return (within or self.page).get_by_role("link", name=self.t(text), exact=True)

    def button(self, text: Any, *, within: Any = None) -> Any:
        return (within or self.page).get_by_role("button", name=self.t(text), exact=True)

    def field(self, label: Any) -> Any:
        # Django ends labels with its (translated) label suffix: "Nom :", "الاسم الكامل:".
        return self.page.get_by_label(re.compile(rf"^{re.escape(self.t(label))}\s*:?$"))

    def check(self, step: str, *messages: Any) -> None:
        """The page is in the visitor's language: `<html lang dir>`, each of `messages` shown
        in it (and not in English), no English sentence of the interface, no sideways scroll.
        Then a screenshot of the step."""
        page, language = self.page, self.language
        page.evaluate("document.fonts.ready.then(() => true)")
        html = page.locator("html")
        expect(html).to_have_attribute("lang", language)
        expect(html).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
        text = " ".join(page.locator("body").inner_text().split())
        for message in messages:
            english, shown = str(message), self.t(message)
            assert shown != english, f"{step}: {english!r} has no {language} translation"
            assert " ".join(shown.split()) in text, f"{step} ({page.url}): {shown!r} not shown"
            assert english not in text, f"{step} ({page.url}): {english!r} shown in English"
        found = [sentence for sentence in self.english if sentence in text]
        found += [
            name for name in self.reference_english if re.search(rf"\b{re.escape(name)}\b", text)
        ]
        for sentence in found:
            self.problems.append(f"{step} ({page.url}): {_around(text, sentence)}")
        scroll, width = page.evaluate(WIDTHS)
        assert scroll <= width, f"{step} ({page.url}) scrolls sideways: {scroll} > {width} px"
        path = self.artifacts / f"journey-{language}-{self.who}-{step}.png"
        page.screenshot(path=str(path), full_page=True)

    def log_in(self, email: str) -> None:
        """From the home page through the log-in page, as anybody would."""
        self.page.goto(f"{self.base}/{self.language}/")
        self.link("Log in").click()
        self.check("login", "Sign In")
        labels = LoginForm().fields
        self.field(labels["login"].label).fill(email)
        self.field(labels["password"].label).fill(PASSWORD)
        self.button("Sign In", within=self.main()).click()
        # Stakeholders land on their workspace, the secretariat on its review queue.
        expect(self.page).to_have_url(re.compile(rf"/{self.language}/(my|review)/$"))


def _reviewer() -> User:
    user = UserFactory(email=REVIEWER, password=PASSWORD, is_staff=True)
    EmailAddress.objects.create(user=user, email=REVIEWER, verified=True, primary=True)
    user.groups.add(ensure_secretariat_group()[0])
    return user


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_a_newcomer_signs_up_pledges_and_sees_it_published_in_arabic_and_french(
    language: str, live_server: Any, browser: Browser, reference_data: None, artifacts: Path
) -> None:
    base, typed = live_server.url, TYPED[language]
    email = f"focal.{language}@ministry.example.org"
    _reviewer()
    s = Visitor(browser, base, language, "stakeholder", artifacts)
    page = s.page

    # 1. The home page, in the language of the address; sign up from its menu.
    page.goto(f"{base}/{language}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        s.t("Pledges under the two Global Compacts")
    )
    s.check("1-home", "Pledges under the two Global Compacts", "Sign up", "Dashboard")
    s.link("Sign up").click()

    # 2. Sign up: the person's name, e-mail address and password.
    expect(page.get_by_role("heading", level=1)).to_have_text(s.t("Sign Up"))
    s.check("2-signup", "Sign Up")
    labels = SignupForm().fields
    s.field(labels["full_name"].label).fill(typed["name"])
    s.field(labels["email"].label).fill(email)
    s.field(labels["password1"].label).fill(PASSWORD)
    s.field(labels["password2"].label).fill(PASSWORD)
    s.button("Sign Up", within=s.main()).click()

    # 3. The address is confirmed through the link of an e-mail written in the page's language.
    expect(page.get_by_role("heading", level=1)).to_have_text(s.t("Verify Your Email Address"))
    s.check("3-verification-sent", "Verify Your Email Address")
    assert User.objects.get(email=email).language == language
    (message,) = [m for m in mail.outbox if m.to == [email]]
    assert s.t("Please Confirm Your Email Address") in message.subject
    link = re.search(r"https?://\S+/confirm-email/\S+/", message.body)
    assert link, message.body
    assert f"/{language}/accounts/confirm-email/" in link.group(0)
    english_body = [sentence for sentence in s.english if sentence in message.body]
    assert not english_body, f"the confirmation e-mail has English: {english_body}"
    page.goto(link.group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text(s.t("Confirm Email Address"))
    s.check("4-confirm-email", "Confirm Email Address")
    s.button("Confirm", within=s.main()).click()

    # 4. Signed in, with no entity yet: register one.
    expect(page).to_have_url(re.compile(rf"/{language}/my/$"))
    s.check("5-no-entity", "My pledges", "Register an entity")
    s.link("Register an entity", within=s.main()).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(s.t("Register an entity"))
    s.check("6-register-entity", "Register an entity", "Register the entity")
    entity_labels = EntityRegistrationForm().fields
    s.field(entity_labels["name"].label).fill(typed["entity"])
    s.field(entity_labels["entity_type"].label).select_option(index=1)
    s.field(entity_labels["country"].label).select_option("KE")
    s.button("Register the entity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(s.t("My entities"))
    s.check("7-my-entities", "My entities", "Awaiting verification")
    entity = Entity.objects.get(name=typed["entity"])
    assert not entity.is_verified

    # 5. The secretariat, logged in through the log-in page in the same language, verifies it.
    r = Visitor(browser, base, language, "secretariat", artifacts)
    r.log_in(REVIEWER)
    r.link("Entities to verify").click()
    card = r.page.locator("li.card", has_text=typed["entity"])
    expect(card).to_be_visible()
    r.check("1-entities-to-verify", "Entities to verify", "Similar existing names")
    r.page.get_by_role("button", name=f"{r.t('Verify')} {typed['entity']}", exact=True).click()
    expect(r.page.locator(".messages")).to_have_text(
        r.t("%(entity)s is now verified.") % {"entity": typed["entity"]}
    )
    r.check("2-entity-verified", "No entity is waiting for verification.")
    entity.refresh_from_db()
    assert entity.is_verified

    # 6. The stakeholder writes a pledge in the editor and submits it for review.
    s.link("My pledges").click()
    s.link("Create a pledge", within=s.main()).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(s.t("New pledge"))
    fields = PledgeForm(user=None).fields
    objective = Objective.objects.get(compact__code="GCR", number=2)
    compact = name_in(language, Compact.objects.get(code="GCR"))
    forum = name_in(language, Forum.objects.get(code="GRF23"))
    objective_label = f"{objective.number}. {name_in(language, objective, 'title')}"
    country = name_in(language, Country.objects.get(pk="KE"))
    # The names the journey meets, in English where the language has a name of its own.
    names = (
        (Compact.objects.get(code="GCR"), "name"),
        (Forum.objects.get(code="GRF23"), "name"),
        (objective, "short_label"),
        (objective, "title"),
        (Country.objects.get(pk="KE"), "name"),
    )
    s.reference_english = r.reference_english = [
        name_in("en", item, field)
        for item, field in names
        if name_in("en", item, field) != name_in(language, item, field)
    ]
    s.check("8-pledge-form", "New pledge", "Who and where", "Save draft", "Submit for review")
    page.get_by_role("radio", name=compact, exact=True).check()
    s.field(fields["forum"].label).select_option(label=forum)
    s.field(fields["title"].label).fill(typed["title"])
    s.field(fields["description"].label).fill(typed["description"])
    page.get_by_role("group", name=s.t(fields["objectives"].label)).get_by_label(
        objective_label, exact=True
    ).check()
    s.field(fields["beneficiary_countries"].label).select_option(label=country)
    s.button(PLEDGE_TRANSITIONS["submit"].label).click()
    expect(page).to_have_url(re.compile(rf"/{language}/pledges/GRF23-\d+/$"))
    reference = page.url.rstrip("/").rsplit("/", 1)[1]
    expect(page.get_by_role("heading", level=1)).to_contain_text(typed["title"])
    s.check("9-submitted")
    assert Pledge.objects.get(reference=reference).review_state == ReviewState.SUBMITTED

    # 7. The secretariat publishes it from the review queue.
    r.link("Review queue").click()
    expect(r.page.get_by_role("heading", level=1)).to_have_text(r.t("Review queue"))
    row = r.page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text(typed["title"])
    r.check("3-review-queue", "Review queue", "Publish selected", "Request changes or reject")
    publish = r.t(PLEDGE_TRANSITIONS["publish"].label)
    row.get_by_role("button", name=f"{publish} {reference}", exact=True).click()
    expect(r.page.locator(".messages")).to_have_text(
        r.t("%(reference)s is published.") % {"reference": reference}
    )
    r.check("4-published", "Nothing waiting for review.")
    assert Pledge.objects.get(reference=reference).review_state == ReviewState.PUBLISHED

    # 8. A few seconds later the progress worker has recomputed the figures (here: at once).
    call_command("recompute_progress", verbosity=0)

    # 9. The stakeholder finds the published pledge in the pledge browser, and the dashboard.
    s.link("Pledges").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(s.t("Pledges"))
    s.check("10-pledges", "Pledges")
    page.get_by_role("link", name=typed["title"]).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(typed["title"])
    s.check("11-published-pledge")
    s.link("Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(s.t("Dashboard"))
    ids = page.eval_on_selector_all("canvas[data-chart]", "cs => cs.map(c => c.id)")
    assert ids, "the dashboard draws no chart"
    page.wait_for_function(DRAWN, arg=ids)
    s.check("12-dashboard", "Dashboard")
    assert s.errors == []
    assert r.errors == []
    found = [*s.problems, *r.problems]
    assert not found, "English shown to a reader of " + language + ":\n  " + "\n  ".join(found)


def test_home_page_and_dashboard_screenshots_in_every_language(
    live_server: Any, browser: Browser, reference_data: None, artifacts: Path
) -> None:
    """One seeded server for the six languages: seeding and emptying it cost more than the pages."""
    call_command("seed_demo", pledges=12, force=True, verbosity=0)
    call_command("recompute_progress", verbosity=0)
    for language in LANGUAGES:
        prefix = "" if language == settings.LANGUAGE_CODE else f"/{language}"
        context = browser.new_context(locale=language)
        page = context.new_page()
        for name, path in (("home", "/"), ("dashboard", "/dashboard/")):
            page.goto(f"{live_server.url}{prefix}{path}")
            page.evaluate("document.fonts.ready.then(() => true)")
            expect(page.locator("html")).to_have_attribute("lang", language)
            ids = page.eval_on_selector_all("canvas[data-chart]", "cs => cs.map(c => c.id)")
            if ids:
                page.wait_for_function(DRAWN, arg=ids)
            assert ids or name == "home", f"the {language} dashboard draws no chart"
            scroll, width = page.evaluate(WIDTHS)
            assert scroll <= width, f"{language} {name} scrolls sideways: {scroll} > {width} px"
            page.screenshot(path=str(artifacts / f"{name}-{language}.png"), full_page=True)
        context.close()
