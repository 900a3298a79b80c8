"""The pledge editor's enhancements (static/js/workspace.js) in a real headless Chromium: only
the chosen compact's options are shown and submitted, the description's characters are counted,
target rows are added, and the error summary takes the focus. Skipped when Debian's chromium is
not installed (`make test` installs it)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from pledges.models import Pledge

playwright_api = pytest.importorskip("playwright.sync_api")


pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor(live_server: Any, page: Any, client: Client, member_a: Any) -> Callable[[str], Any]:
    """`editor(path)`: the page at `path`, signed in as member A (the test client's session)."""
    client.force_login(member_a)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    def open_page(path: str) -> Any:
        page.goto(live_server.url + path)
        return page

    return open_page


def test_only_the_chosen_compacts_options_are_shown_and_submitted(
    editor: Callable[[str], Any], reference_data: None
) -> None:
    page = editor("/my/pledges/new/")
    expect = playwright_api.expect

    page.check('input[name="compact"][data-compact="GCR"]')

    expect(page.locator('fieldset.compact-group[data-compact="GCM"]').first).to_be_hidden()
    expect(page.locator('fieldset.compact-group[data-compact="GCR"]').first).to_be_visible()
    expect(page.locator("#id_principles")).to_be_hidden()  # the GCR has no guiding principles
    assert page.locator('#id_forum option[data-compact="GCM"]:not([hidden])').count() == 0
    # Hidden checkboxes sit in a disabled fieldset, so the browser does not submit them.
    assert page.evaluate(
        "document.querySelector('fieldset.compact-group[data-compact=GCM]').disabled"
    )

    page.check('input[name="compact"][data-compact="GCM"]')
    expect(page.locator("#id_principles")).to_be_visible()
    assert page.locator('#id_forum option[data-compact="GCR"]:not([hidden])').count() == 0


def test_pledge_with_an_added_target_row_is_saved(
    editor: Callable[[str], Any], reference_data: None
) -> None:
    page = editor("/my/pledges/new/")
    expect = playwright_api.expect

    page.check('input[name="compact"][data-compact="GCM"]')
    page.fill("#id_description", "Too short for the GCM.")
    expect(page.locator("#description-count [data-count]")).to_have_text("22")
    expect(page.locator("#description-count")).to_have_class("charcount out-of-range")
    page.fill("#id_title", "Pathways for workers")
    page.select_option("#id_forum", label="International Migration Review Forum 2026")
    page.get_by_role("button", name="Add another target").click()
    expect(page.locator("[data-target-row]")).to_have_count(2)
    page.fill('[name="targets-1-metric"]', "Visas issued")
    page.select_option('[name="targets-1-unit"]', "count")
    page.fill('[name="targets-1-target_value"]', "300")
    page.get_by_role("button", name="Submit for review").click()

    # Saved as a draft; the refused submission is explained and the summary has the focus.
    expect(page.locator("[data-error-summary]")).to_be_focused()
    pledge = Pledge.objects.get()
    assert list(pledge.targets.values_list("metric", flat=True)) == ["Visas issued"]
    assert pledge.review_state == "draft"
