"""A few demo pledges written in French and Spanish, each with an English translation, so that
the demo shows pledges in their own language: the original with a note of its language on
pages in other languages, the translation in English, and search that stems French and Spanish.

Fixed texts (no random draw), given to the first published GCR pledges of the run in id order,
so that a seed always yields the same pledges and a re-run (another batch) translates its own.
"""

from collections.abc import Sequence
from itertools import islice

from pledges.models import Pledge, PledgeTranslation, ReviewState
from pledges.services import refresh_translation_search

# (language, original title, original description, English title, English description)
WRITTEN_ELSEWHERE: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "fr",
        "Accueillir les enfants réfugiés dans les écoles nationales",
        "Nous scolariserons les enfants réfugiés dans les écoles publiques des communautés "
        "d’accueil, avec des enseignants formés et des places supplémentaires en classe.",
        "Welcome refugee children in national schools",
        "We will enrol refugee children in the public schools of host communities, with "
        "trained teachers and additional classroom places.",
    ),
    (
        "fr",
        "Ouvrir l’accès au travail pour les réfugiés",
        "Nous délivrerons des permis de travail aux réfugiés et reconnaîtrons leurs "
        "qualifications professionnelles.",
        "Open access to work for refugees",
        "We will issue work permits to refugees and recognise their professional qualifications.",
    ),
    (
        "fr",
        "Soins de santé pour les réfugiés et les communautés d’accueil",
        "Nous intégrerons les réfugiés dans le système national de santé et renforcerons les "
        "centres de santé des communautés d’accueil.",
        "Health care for refugees and host communities",
        "We will include refugees in the national health system and strengthen the health "
        "centres of host communities.",
    ),
    (
        "es",
        "Formación profesional para jóvenes refugiados",
        "Ofreceremos cursos de formación profesional y prácticas a jóvenes refugiados y de "
        "las comunidades de acogida.",
        "Vocational training for young refugees",
        "We will offer vocational training courses and apprenticeships to young refugees and "
        "young people of host communities.",
    ),
    (
        "es",
        "Viviendas dignas para familias refugiadas",
        "Construiremos viviendas y mejoraremos los servicios de agua y saneamiento en los "
        "barrios que acogen a familias refugiadas.",
        "Decent housing for refugee families",
        "We will build housing and improve water and sanitation services in the "
        "neighbourhoods that host refugee families.",
    ),
)


def translate_some(pledge_ids: Sequence[int]) -> int:
    """Rewrite the first published GCR pledges among `pledge_ids` (this run's) in French and
    Spanish, each with its English translation; how many were rewritten."""
    if not pledge_ids:
        return 0
    # Read in id order from this run's lowest id, stopping at the last one needed, rather
    # than `pk__in` this run's ids: a million query parameters took about a minute to send
    # and plan at 1,000,000 pledges.
    ours = set(pledge_ids)
    candidates = (
        Pledge.objects.filter(
            pk__gte=min(ours),
            pk__lte=max(ours),
            review_state=ReviewState.PUBLISHED,
            compact__code="GCR",
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chosen = list(
        islice(
            (pk for pk in candidates.iterator(chunk_size=100) if pk in ours), len(WRITTEN_ELSEWHERE)
        )
    )
    for pk, (language, title, description, en_title, en_description) in zip(
        chosen, WRITTEN_ELSEWHERE, strict=False
    ):
        Pledge.objects.filter(pk=pk).update(language=language, title=title, description=description)
        PledgeTranslation.objects.create(
            pledge_id=pk, language="en", title=en_title, description=en_description
        )
        refresh_translation_search(pk)
    return len(chosen)
