"""Roles are Django groups with permissions. The secretariat's group is reference data: the
reference loader creates it, and admins put reviewers in it."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

SECRETARIAT_GROUP = "Secretariat"
# Reviewers also maintain the reference data, indicators and exchange rates in the admin.
SECRETARIAT_APPS = (
    "compacts",
    "forums",
    "pledges",
    "partnerships",
    "indicators",
    "core",
    "followup",
    "resources",
)


def ensure_secretariat_group() -> tuple[Group, bool]:
    """Create the Secretariat group if missing and grant it every permission of the domain apps
    (including `pledges.review_pledge`). Returns the group and whether anything was added."""
    group, created = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
    wanted = set(
        Permission.objects.filter(Q(content_type__app_label__in=SECRETARIAT_APPS)).values_list(
            "pk", flat=True
        )
    )
    missing = wanted - set(group.permissions.values_list("pk", flat=True))
    if missing:
        group.permissions.add(*missing)
    return group, created or bool(missing)
