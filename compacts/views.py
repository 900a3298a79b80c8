"""Public pages about the compacts themselves."""

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Compact, Objective


def home(request: HttpRequest) -> HttpResponse:
    """What the two compacts are, with their objectives."""
    compacts = Compact.objects.prefetch_related(
        Prefetch("objectives", queryset=Objective.objects.order_by("number"))
    ).order_by("code")
    return render(request, "compacts/home.html", {"compacts": compacts})
