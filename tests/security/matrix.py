"""The permission matrix of docs/security.md as data, and the routes it must cover.

The table in the docs is the single source: the walker in test_permission_matrix.py parses it,
so the document and the behaviour cannot drift apart. Each row is one route (its URL name), one
HTTP method and one object (a name from `tests/security/conftest.py::World.targets`, optionally
followed by fixed URL arguments such as `action=submit`), with the answer each role gets:

- `ok`     the request passes the permission gate (2xx, a redirect elsewhere than the log-in
           page, or a 400/409/412/428 about the (empty) request body)
- `login`  redirected to the log-in page
- `401`, `403`, `404`, `405`  refused with that status
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
START, END = "<!-- permission-matrix:start -->", "<!-- permission-matrix:end -->"
ROLES = ["anonymous", "partner", "member_a", "member_b", "secretariat", "admin"]
OUTCOMES = {"ok", "login", "401", "403", "404", "405"}
# The Django admin checks staff status and per-model permissions itself; the matrix samples
# it (index, the pledge and user lists) rather than listing its ~150 generated routes.
SAMPLED_NAMESPACES = ("admin",)


@dataclass(frozen=True)
class Row:
    route: str
    method: str
    target: str
    extra: tuple[tuple[str, str], ...]
    resource: str
    action: str
    expected: tuple[str, ...]

    @property
    def body(self) -> str | None:
        """The name of the request body (`body=…` in the object cell), if any."""
        return dict(self.extra).get("body")

    @property
    def id(self) -> str:
        extra = "".join(f",{k}={v}" for k, v in self.extra)
        return f"{self.method} {self.route} [{self.target}{extra}]"


def _cells(line: str) -> list[str]:
    return [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]


def load_matrix(path: Path = DOC) -> list[Row]:
    text = path.read_text()
    body = text[text.index(START) + len(START) : text.index(END)]
    rows = []
    for line in body.splitlines():
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cells = _cells(line)
        if cells[0] == "route":
            continue
        route, method, target, resource, action, *expected = cells
        name, *extra = target.split()
        bad = set(expected) - OUTCOMES
        if len(expected) != len(ROLES) or bad:
            raise ValueError(f"docs/security.md matrix row {line!r}: bad cells {bad or expected}")
        rows.append(
            Row(
                route=route,
                method=method.upper(),
                target=name,
                extra=tuple(tuple(pair.split("=", 1)) for pair in extra),  # type: ignore[misc]
                resource=resource,
                action=action,
                expected=tuple(expected),
            )
        )
    return rows


@dataclass(frozen=True)
class Route:
    name: str
    pattern: URLPattern
    # The methods a DRF viewset route answers (its `actions`); None for views that do not say.
    methods: frozenset[str] | None
    is_api: bool


def _walk(resolver: URLResolver, prefix: str, namespace: str | None, found: dict) -> None:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            child = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            _walk(entry, prefix + str(entry.pattern), child, found)
            continue
        if not entry.name:
            if namespace in SAMPLED_NAMESPACES:
                continue  # the admin's own redirects (…/<id>/ to …/<id>/change/)
            raise AssertionError(f"The route {prefix}{entry.pattern} has no name: name it.")
        name = f"{namespace}:{entry.name}" if namespace else entry.name
        actions: dict[str, str] | None = getattr(entry.callback, "actions", None)
        methods = frozenset(m.upper() for m in actions) if actions else None
        if name in found and found[name].methods is not None and methods is not None:
            methods = found[name].methods | methods
        found[name] = Route(
            name=name, pattern=entry, methods=methods, is_api=prefix.startswith("api/")
        )


def all_routes() -> dict[str, Route]:
    """Every named route of the site, from the URL resolver (the DRF router's included)."""
    found: dict[str, Route] = {}
    _walk(get_resolver(), "", None, found)
    return found


def route_kwargs(route: str) -> list[str]:
    """The URL arguments of a route (format suffixes aside)."""
    pattern = all_routes()[route].pattern.pattern
    regex = getattr(pattern, "regex", None)
    names = list(regex.groupindex) if regex is not None else []
    return [n for n in names if n != "format"]


def missing_rows(rows: list[Row], routes: dict[str, Route]) -> list[str]:
    """Routes (and DRF methods) that no matrix row covers, as readable lines."""
    covered: dict[str, set[str]] = {}
    for row in rows:
        covered.setdefault(row.route, set()).add(row.method)
    problems = []
    for name, route in sorted(routes.items()):
        if name.split(":")[0] in SAMPLED_NAMESPACES:
            continue
        path = "/" + str(route.pattern.pattern)
        if name not in covered:
            problems.append(f"{name} ({path}): no row at all")
            continue
        for method in sorted((route.methods or set()) - covered[name] - {"OPTIONS", "HEAD"}):
            problems.append(f"{name} ({path}): no row for {method}")
    return problems


def fill(row: Row, targets: dict[str, dict[str, Any]]) -> dict[str, Any]:
    values = {**targets[row.target], **{k: v for k, v in row.extra if k != "body"}}
    return {name: values[name] for name in route_kwargs(row.route)}


def markdown_row(row: Row, observed: list[str]) -> str:
    target = " ".join([row.target, *(f"{k}={v}" for k, v in row.extra)])
    cells = [f"`{row.route}`", row.method, target, row.resource, row.action, *observed]
    return "| " + " | ".join(cells) + " |"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
