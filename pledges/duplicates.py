"""Possible duplicates of a pledge: the existing pledges most like it (docs/duplicates.md).

Why full-text words and not pg_trgm: the embedded PostgreSQL that `make run` starts ships no
pg_trgm (its only extensions are plpgsql and vector), so a migration creating the extension
would break the demo; and near-duplicate pledges are copies of one another, which share whole
words far more than they share spelling mistakes. The title is read as words exactly as written
(the `simple` configuration: no stemming, so any language works the same) through one GIN
index, `pledge_title_words_idx` (pledges 0019).

One statement, whatever the size of the table. Candidates are gathered by up to four small
reads, each served by an index and each stopped by a `LIMIT`, so that no read grows with the
table:

- the subject's entity's own pledges, newest first (the `entity_id` index);
- pledges whose title has every significant word of the subject's title (GIN);
- pledges whose title has all of them but the last, and all but the first (GIN).

There is no "any word in common" read: such a word ("refugee") is in most titles, so PostgreSQL
rightly reads the table in order until the cap instead of the index, and what that finds is
arbitrary; a pledge sharing fewer words is found only when it is the entity's own.

Only then are the few hundred candidates scored and the best `limit` kept: title likeness
(shared words over all words, Jaccard) weighs most, then the same entity, the same forum and the
share of the subject's beneficiary countries the candidate also serves. Every read goes through
`Pledge.objects.visible_to(viewer)`, so nobody is shown a pledge they could not open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorExact
from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import Pledge, ReviewState

# Candidate reads and their caps: enough for the best five to be among them, few enough that
# scoring them is a few milliseconds at any table size.
OWN_ENTITY_CAP = 50
WORDS_CAP = 100
# At most this many significant words build the title reads.
MAX_WORDS = 8
# Shorter words ("of", "the", "de", "la", "для") are too common to find anything by.
MIN_WORD_LENGTH = 4

# The score: title likeness (0..1) weighs most; a candidate must share some title word.
TITLE_WEIGHT = 4.0
ENTITY_WEIGHT = 2.0
FORUM_WEIGHT = 1.0
COUNTRIES_WEIGHT = 1.0
# Below this a candidate is not worth a reader's attention (e.g. one common word in the title
# and nothing else in common).
MIN_SCORE = 2.5

_WORD = re.compile(r"\w+")


def title_words() -> SearchVector:
    """The words of a pledge's title, as `pledge_title_words_idx` indexes them (keep the two
    in step: the plan test in tests/performance checks that the index serves the reads)."""
    return SearchVector("title", config="simple")


@dataclass(frozen=True)
class DraftFields:
    """What a pledge being written says so far; `pledge_id` is the pledge itself once saved
    (never its own duplicate)."""

    title: str
    entity_id: int | None = None
    forum_id: int | None = None
    country_codes: tuple[str, ...] = ()
    pledge_id: int | None = None


@dataclass
class SimilarPledge:
    """One possible duplicate and why it was found."""

    id: int
    reference: str
    title: str
    review_state: str
    entity_name: str
    forum_code: str
    same_entity: bool
    same_forum: bool
    shared_countries: int
    title_likeness: float
    score: float
    reasons: list[str] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return str(ReviewState(self.review_state).label)


def fields_of(pledge: Pledge) -> DraftFields:
    return DraftFields(
        title=pledge.title,
        entity_id=pledge.entity_id,
        forum_id=pledge.forum_id,
        country_codes=tuple(pledge.beneficiary_countries.values_list("code", flat=True)),
        pledge_id=pledge.pk,
    )


def significant_words(title: str) -> list[str]:
    """The title's words long enough to tell pledges apart, first occurrence first."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(title.lower()):
        if len(word) >= MIN_WORD_LENGTH and not word.isdigit():
            seen.setdefault(word, None)
    return list(seen)[:MAX_WORDS]


def _plain(text: str) -> SearchQuery:
    return SearchQuery(text, config="simple", search_type="plain")


def _candidate_reads(subject: DraftFields, viewer: Any) -> list[QuerySet[Pledge, Any]]:
    visible = Pledge.objects.visible_to(viewer).order_by()
    if subject.pledge_id is not None:
        visible = visible.exclude(pk=subject.pledge_id)
    reads: list[QuerySet[Pledge, Any]] = []
    if subject.entity_id is not None:
        reads.append(
            visible.filter(entity_id=subject.entity_id)
            .order_by("-id")
            .values("id")[:OWN_ENTITY_CAP]
        )
    words = significant_words(subject.title)
    # Each read is an AND of words: GIN then skips through the common words' entries guided by
    # the rarest one (an OR of ANDs reads every entry of every word: 100-180 ms at 1M).
    phrases = [" ".join(words)] if words else [subject.title] if subject.title.strip() else []
    if len(words) >= 3:
        # Near copies usually differ at one end ("… in Kenya" / "… in Uganda").
        phrases += [" ".join(words[:-1]), " ".join(words[1:])]
    for phrase in phrases:
        reads.append(
            visible.filter(SearchVectorExact(title_words(), _plain(phrase))).values("id")[
                :WORDS_CAP
            ]
        )
    return reads


# The scoring around the candidates' union ({candidates}: the ORM reads above). `facts` is
# materialised so that each candidate's likeness is computed once, not in the filter and the sort.
_SCORED_SQL = """
WITH candidates AS ({candidates}),
subject AS (SELECT tsvector_to_array(to_tsvector('simple'::regconfig, %s)) AS words),
facts AS MATERIALIZED (
    SELECT p.id, p.reference, p.title, p.review_state, e.name AS entity_name,
           f.code AS forum_code,
           p.entity_id = %s AS same_entity,
           p.forum_id = %s AS same_forum,
           (SELECT count(*) FROM pledges_pledge_beneficiary_countries bc
             WHERE bc.pledge_id = p.id AND bc.country_id = ANY(%s::varchar[])) AS shared,
           (SELECT count(*) FROM (
                SELECT unnest(t.words) INTERSECT SELECT unnest(s.words)) common)::float
           / GREATEST((SELECT count(*) FROM (
                SELECT unnest(t.words) UNION SELECT unnest(s.words)) every_word), 1)
               AS likeness
    FROM candidates c
    JOIN pledges_pledge p ON p.id = c.id
    JOIN pledges_entity e ON e.id = p.entity_id
    JOIN forums_forum f ON f.id = p.forum_id
    CROSS JOIN subject s
    CROSS JOIN LATERAL (
        SELECT tsvector_to_array(to_tsvector('simple'::regconfig, COALESCE(p.title, '')))
            AS words
    ) t
),
scored AS (
    SELECT *, %s * likeness
              + CASE WHEN same_entity THEN %s ELSE 0 END
              + CASE WHEN same_forum THEN %s ELSE 0 END
              + %s * shared / GREATEST(%s, 1) AS score
    FROM facts
)
SELECT id, reference, title, review_state, entity_name, forum_code, same_entity, same_forum,
       shared, likeness, score
FROM scored
WHERE likeness > 0 AND score >= %s
ORDER BY score DESC, id DESC
LIMIT %s
"""


def similar_pledges_sql(subject: DraftFields, *, viewer: Any, limit: int) -> tuple[str, list[Any]]:
    """The statement `similar_pledges` runs (for the plan test and the benchmark)."""
    parts: list[str] = []
    params: list[Any] = []
    for read in _candidate_reads(subject, viewer):
        sql, read_params = read.query.sql_with_params()
        parts.append(f"({sql})")
        params.extend(read_params)
    countries = list(subject.country_codes)
    params.extend(
        [
            subject.title,
            subject.entity_id,
            subject.forum_id,
            countries,
            TITLE_WEIGHT,
            ENTITY_WEIGHT,
            FORUM_WEIGHT,
            COUNTRIES_WEIGHT,
            len(countries),
            MIN_SCORE,
            limit,
        ]
    )
    return _SCORED_SQL.format(candidates=" UNION ".join(parts)), params


def _reasons(row: SimilarPledge, subject: DraftFields) -> list[str]:
    reasons = [
        _("title %(percent)d%% alike") % {"percent": round(row.title_likeness * 100)},
    ]
    if row.same_entity:
        reasons.append(_("same entity"))
    if row.same_forum:
        reasons.append(_("same forum"))
    if row.shared_countries:
        reasons.append(
            _("%(shared)d of %(total)d beneficiary countries in common")
            % {"shared": row.shared_countries, "total": len(subject.country_codes)}
        )
    return reasons


def similar_pledges(
    subject: Pledge | DraftFields, *, viewer: Any, limit: int = 5
) -> list[SimilarPledge]:
    """Up to `limit` pledges `viewer` may see that look most like `subject` (a pledge, or the
    fields of one being written), best first, each with why. One query."""
    fields = fields_of(subject) if isinstance(subject, Pledge) else subject
    if not fields.title.strip() and fields.entity_id is None:
        return []
    sql, params = similar_pledges_sql(fields, viewer=viewer, limit=limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = []
    for row in rows:
        similar = SimilarPledge(
            id=row[0],
            reference=row[1],
            title=row[2],
            review_state=row[3],
            entity_name=row[4],
            forum_code=row[5],
            same_entity=bool(row[6]),
            same_forum=bool(row[7]),
            shared_countries=int(row[8]),
            title_likeness=float(row[9]),
            score=float(row[10]),
        )
        similar.reasons = _reasons(similar, fields)
        found.append(similar)
    return found
