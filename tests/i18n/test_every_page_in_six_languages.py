"""Every page of the permission matrix (docs/security.md) opens in each of the six languages,
as someone allowed to see it, without a server error, and names its language and direction.

The pages come from the matrix, so a new page is checked here as soon as it gets its row. API,
admin and other unprefixed routes (health check, API docs) have no language in their URL; the
API answers in Accept-Language (tests/i18n/test_languages.py)."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.security.conftest import World, world  # noqa: F401 (the matrix's objects, as a fixture)
from tests.security.matrix import ROLES, Row, all_routes, fill, load_matrix

LANGUAGES = ("ar", "zh-hans", "en", "fr", "ru", "es")


def _page_rows() -> list[tuple[Row, str]]:
    """Each GET row of a web page that someone may open, with the first role that may."""
    routes = all_routes()
    seen: set[tuple[str, str, tuple]] = set()
    pages = []
    for row in load_matrix():
        route = routes.get(row.route)
        if row.method != "GET" or route is None or route.is_api or row.route.startswith("admin:"):
            continue
        allowed = [role for role, answer in zip(ROLES, row.expected, strict=True) if answer == "ok"]
        key = (row.route, row.target, row.extra)
        if not allowed or key in seen:
            continue
        seen.add(key)
        # The partner's key opens no page: on the web it is an anonymous visitor.
        pages.append((row, allowed[0]))
    return pages


PAGES = _page_rows()


def _clients(the_world: World) -> dict[str, Client]:
    clients = {}
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if role in the_world.users and role != "partner":
            client.force_login(the_world.users[role])
        clients[role] = client
    return clients


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_opens_in_the_language_and_direction_of_its_url(
    world: World,  # noqa: F811
    language: str,
) -> None:
    clients = _clients(world)
    direction = "rtl" if language == "ar" else "ltr"
    checked, problems = 0, []
    for row, role in PAGES:
        kwargs = fill(row, world.targets)
        with translation.override("fr"):
            if not reverse(row.route, kwargs=kwargs).startswith("/fr/"):
                continue  # unprefixed (health check, API docs): not a page in a language
        with translation.override(language):
            url = reverse(row.route, kwargs=kwargs)
        response = clients[role].get(url)
        checked += 1
        where = f"{url} ({row.id}, as {role})"
        if response.status_code >= 500:
            problems.append(f"{where}: {response.status_code}")
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue  # redirects (allauth's notices) and downloads (CSV, XLSX)
        html = response.content.decode()
        if f'<html lang="{language}" dir="{direction}">' not in html:
            start = html[html.find("<html") :][:60]
            problems.append(f"{where}: starts with {start!r}")

    assert checked >= 30, f"only {checked} pages checked: did the matrix lose its page rows?"
    assert not problems, f"Pages wrong in {language}:\n  " + "\n  ".join(problems)
