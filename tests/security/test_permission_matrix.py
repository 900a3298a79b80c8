"""Walk the permission matrix of docs/security.md: every web view and API endpoint, as each role
(anonymous, a partner's program with an API key, a member of entity A, a member of entity B, the
secretariat, a site admin), against objects of entity A addressed by reference, UUID or id.

A route the matrix does not list fails `test_every_route_has_a_matrix_row`, naming the route, so
that nobody adds a page or an endpoint without deciding who may use it. Set MATRIX_PRINT=1 to
print the observed answers as table rows (to paste into the docs after checking them).
"""

import copy
import os
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from config.api import router

from .conftest import World
from .matrix import (
    ROLES,
    Route,
    Row,
    all_routes,
    fill,
    load_matrix,
    markdown_row,
    missing_rows,
)

MATRIX = load_matrix()
pytestmark = pytest.mark.django_db
LOGIN_PATHS = {resolve_url(settings.LOGIN_URL), "/admin/login/"}
GATE_PASSED = {400, 409, 412, 428}  # the request got past the permission check


class _Rollback(Exception):
    """Undo whatever one role's request changed before the next role tries."""


def outcome(response: HttpResponse) -> str:
    status = response.status_code
    if status in (301, 302, 303) and response["Location"].split("?")[0] in LOGIN_PATHS:
        return "login"
    if status in (401, 403, 404, 405):
        return str(status)
    if status < 400 or status in GATE_PASSED:
        return "ok"
    return str(status)  # 429, 500…: never an expected answer


class Clients:
    """Web pages: people sign in (the partner's key is sent, and must open nothing). API: every
    signed-in role sends its own API key, as programs do.

    One client per role and kind, made (and signed in: a session row each) once, outside the
    requests' savepoints, instead of one sign-in per request (15 % of the walk). Before each
    request a client gets back the cookies it had then: a response that logs out, rotates the
    session or sets another cookie changes nothing for the next row, as with a new client, and
    the rollback of the savepoint undoes what the request did to the session row."""

    def __init__(self, world: World) -> None:
        self.made: dict[tuple[str, bool], tuple[Client, SimpleCookie]] = {}
        for role in ROLES:
            for api in (False, True):
                client = self._make(role, world, api=api)
                self.made[role, api] = (client, copy.deepcopy(client.cookies))

    @staticmethod
    def _make(role: str, world: World, *, api: bool) -> Client:
        # A server error is an answer like any other here: it shows up as "500" in the
        # mismatches.
        if role == "anonymous":
            return Client(raise_request_exception=False)
        if api or role == "partner":
            return Client(
                HTTP_AUTHORIZATION=f"Bearer {world.keys[role]}", raise_request_exception=False
            )
        client = Client(raise_request_exception=False)
        client.force_login(world.users[role])
        return client

    def for_role(self, role: str, *, api: bool) -> Client:
        client, cookies = self.made[role, api]
        client.cookies = copy.deepcopy(cookies)
        return client


def request(
    row: Row, role: str, world: World, routes: dict[str, Route], clients: Clients
) -> HttpResponse:
    route = routes[row.route]
    url = reverse(row.route, kwargs=fill(row, world.targets))
    client = clients.for_role(role, api=route.is_api)
    call = getattr(client, row.method.lower())
    body = world.payloads[row.body] if row.body else {}
    if row.method == "GET":
        return call(url, HTTP_ACCEPT="application/json") if route.is_api else call(url)
    if route.is_api:
        # Writes to an existing resource must say which version they change (428 otherwise).
        return call(
            url,
            data=body,
            content_type="application/json",
            HTTP_ACCEPT="application/json",
            HTTP_IF_MATCH="*",
        )
    return call(url, data=body)


def observe(row: Row, world: World, routes: dict[str, Route], clients: Clients) -> list[str]:
    answers = []
    for role in ROLES:
        try:
            with transaction.atomic():
                answers.append(outcome(request(row, role, world, routes, clients)))
                raise _Rollback
        except _Rollback:
            pass
    return answers


def test_every_route_has_a_matrix_row() -> None:
    missing = missing_rows(MATRIX, all_routes())

    assert not missing, (
        "These routes are not in the permission matrix of docs/security.md. Decide who may "
        "use each and add a row (MATRIX_PRINT=1 prints what each role gets today):\n  "
        + "\n  ".join(missing)
    )


def test_every_router_resource_is_in_the_matrix() -> None:
    routes = {row.route for row in MATRIX}
    missing = [
        basename
        for _prefix, _viewset, basename in router.registry
        if f"{basename}-list" not in routes
    ]

    assert not missing, f"API resources with no matrix row: {missing}"


def test_every_matrix_row_names_a_route_that_exists() -> None:
    routes = all_routes()
    stale = [row.id for row in MATRIX if row.route not in routes]

    assert not stale, f"Matrix rows for routes that no longer exist: {stale}"


@pytest.mark.parametrize("half", [0, 1], ids=["even rows", "odd rows"])
def test_every_role_gets_the_documented_answer_on_every_route(world: World, half: int) -> None:
    # One world for many rows (building it per row took minutes); every request runs in a
    # savepoint that is rolled back, so no row sees another's changes. Two halves, so that the
    # suite's two workers can share the ~2,000 requests.
    routes = all_routes()
    clients = Clients(world)
    mismatches = []
    for row in MATRIX[half::2]:
        observed = observe(row, world, routes, clients)
        if os.environ.get("MATRIX_PRINT"):
            print("\nMATRIX " + markdown_row(row, observed))
        mismatches += [
            f"{row.id} ({row.resource}: {row.action}) as {role}: documented {want}, got {got}"
            for role, want, got in zip(ROLES, row.expected, observed, strict=True)
            if want != got
        ]

    assert not mismatches, "Answers that differ from docs/security.md:\n  " + "\n  ".join(
        mismatches
    )
