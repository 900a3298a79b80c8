"""Read a rendered public page the way a person scans it: results, facet counts, errors."""

import re

from django.http import HttpResponse


def text(response: HttpResponse) -> str:
    return response.content.decode()


def references(response: HttpResponse) -> list[str]:
    """Pledge references listed on the page, in order."""
    return re.findall(r'<span class="reference">([^<]+)</span>', text(response))


def facet_counts(response: HttpResponse, name: str) -> dict[str, int]:
    """{value: count} of the checkboxes of facet `name`, as the visitor sees them."""
    page = text(response)
    found = re.findall(
        rf'<input type="checkbox" id="([^"]+)" name="{name}" value="([^"]+)"[^>]*>\s*'
        # The label's text holds no tag: an option without a count never borrows the next one's.
        r'<label for="([^"]+)">[^<]*<span class="count">(\d+)<',
        page,
        flags=re.S,
    )
    assert all(input_id == label_for for input_id, _v, label_for, _n in found)
    return {value: int(count) for _id, value, _for, count in found}


def checked(response: HttpResponse, name: str) -> set[str]:
    return set(
        re.findall(rf'name="{name}" value="([^"]+)" checked', text(response)),
    )


def total(response: HttpResponse) -> int:
    heading = re.search(r'<h2 id="results-heading"[^>]*>([\d,]+) pledges?</h2>', text(response))
    assert heading, "results heading missing"
    return int(heading.group(1).replace(",", ""))


def remove_links(response: HttpResponse) -> dict[str, str]:
    """{visible chip text: href} of the 'remove filter' links."""
    chips = re.findall(
        r'<a class="chip" href="([^"]*)"><span class="visually-hidden">Remove filter </span>'
        r"(.*?) <span",
        text(response),
    )
    return {label.replace("&amp;", "&"): href.replace("&amp;", "&") for href, label in chips}


def options(response: HttpResponse, name: str) -> list[str]:
    """Values of the checkboxes of facet `name`, in page order, counted or not."""
    return re.findall(
        rf'<input type="checkbox" id="[^"]+" name="{name}" value="([^"]+)"', text(response)
    )


def more_than(response: HttpResponse) -> int | None:
    """N when the results heading reads "More than N pledges" (the matches were not counted)."""
    heading = re.search(
        r'<h2 id="results-heading"[^>]*>More than ([\d,]+) pledges</h2>', text(response)
    )
    return int(heading.group(1).replace(",", "")) if heading else None


def fieldset(response: HttpResponse, name: str) -> str:
    """The opening tag of facet `name`'s fieldset."""
    found = re.search(rf'<fieldset id="facet-{name}"[^>]*>', text(response))
    assert found, f"facet {name} missing"
    return found.group(0)
