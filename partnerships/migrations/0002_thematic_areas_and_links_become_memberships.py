"""GRF 2023's six multistakeholder pledges were thematic areas, and pledges joined them either by
carrying the tag or by a `contributes_to` link to a pledge that carried it. They become records
of their own: each of the six areas becomes an MSP (same code, names in every language), every
pledge tagged with it becomes an accepted member, decided by "migration", and so does the
source of every `contributes_to` link whose target carries the tag; those links and the six
areas are then deleted. Set-based SQL: one statement per step, whatever the number of pledges.
"""

from django.db import migrations
from django.utils import timezone

MSP_AREAS = (
    "economic-inclusion-and-social-protection",
    "resettlement",
    "refugee-travel-documents",
    "skills-based-complementary-pathways",
    "climate-action",
    "asylum-capacity",
)
SOURCE_URL = "https://globalcompactrefugees.org/"
SOURCE_NOTE = "Multistakeholder Pledges for the Global Refugee Forum 2023"
DESCRIPTION = "Multistakeholder pledge of the Global Refugee Forum 2023."
LANGUAGES = ("ar", "zh_hans", "fr", "ru", "es")
REASON = "Moved by migration partnerships 0002"


def _t(apps, app, model):
    return apps.get_model(app, model)._meta.db_table


def move(apps, schema_editor):
    ThematicArea = apps.get_model("compacts", "ThematicArea")
    Msp = apps.get_model("partnerships", "MultistakeholderPledge")
    Forum = apps.get_model("forums", "Forum")
    areas = list(ThematicArea.objects.filter(compact__code="GCR", slug__in=MSP_AREAS))
    if not areas:
        return  # a new database: the reference data loads the MSPs
    now = timezone.now()
    forum = Forum.objects.filter(code="GRF23").first()
    msp_ids = []
    for area in areas:
        msp = Msp.objects.filter(slug=area.slug).first()
        if msp is None:
            texts = {f"title_{code}": getattr(area, f"name_{code}", None) for code in LANGUAGES}
            msp = Msp.objects.create(
                slug=area.slug,
                title=area.name,
                title_en=getattr(area, "name_en", None) or area.name,
                **texts,
                description=DESCRIPTION,
                compact_id=area.compact_id,
                forum=forum,
                status="active",
                source_url=SOURCE_URL,
                source_note=SOURCE_NOTE,
                is_reference=True,
                # The project's own translations, as the reference data ships them.
                unofficial_languages=sorted(
                    code.replace("_", "-") for code, text in texts.items() if text
                ),
                progress_stale_since=now,
            )
        msp_ids.append(msp.pk)
    area_ids = [area.pk for area in areas]

    memberships = _t(apps, "partnerships", "MultistakeholderMembership")
    history = _t(apps, "partnerships", "HistoricalMultistakeholderMembership")
    tagged = _t(apps, "pledges", "Pledge_thematic_areas")
    links = _t(apps, "pledges", "PledgeLink")
    pledges = _t(apps, "pledges", "Pledge")
    areas_table = _t(apps, "compacts", "ThematicArea")
    msps = _t(apps, "partnerships", "MultistakeholderPledge")
    current = (
        f"NOT EXISTS (SELECT 1 FROM {memberships} x WHERE x.msp_id = m.id "
        "AND x.pledge_id = {pledge} AND x.state IN ('requested', 'accepted'))"
    )
    with schema_editor.connection.cursor() as cursor:
        # Pledges that carried the tag.
        cursor.execute(
            f"""
            INSERT INTO {memberships} (msp_id, pledge_id, state, origin, requested_at,
                decided_at, message, created_at, updated_at)
            SELECT m.id, pt.pledge_id, 'accepted', 'migration', %(now)s, %(now)s,
                   'Tagged with the thematic area ' || ta.name, %(now)s, %(now)s
            FROM {tagged} pt
            JOIN {areas_table} ta ON ta.id = pt.thematicarea_id
            JOIN {msps} m ON m.slug = ta.slug
            WHERE ta.id = ANY(%(areas)s) AND {current.format(pledge="pt.pledge_id")}
            """,
            {"now": now, "areas": area_ids},
        )
        # Sources of `contributes_to` links to a tagged pledge (once per MSP).
        cursor.execute(
            f"""
            INSERT INTO {memberships} (msp_id, pledge_id, state, origin, requested_at,
                decided_at, message, created_at, updated_at)
            SELECT DISTINCT ON (m.id, l.source_id) m.id, l.source_id, 'accepted', 'migration',
                   %(now)s, %(now)s, 'Contributed to ' || p.reference, %(now)s, %(now)s
            FROM {links} l
            JOIN {pledges} p ON p.id = l.target_id
            JOIN {tagged} pt ON pt.pledge_id = l.target_id
            JOIN {areas_table} ta ON ta.id = pt.thematicarea_id
            JOIN {msps} m ON m.slug = ta.slug
            WHERE l.kind = 'contributes_to' AND ta.id = ANY(%(areas)s)
              AND {current.format(pledge="l.source_id")}
            ORDER BY m.id, l.source_id, l.id
            """,
            {"now": now, "areas": area_ids},
        )
        # Each new membership's first history version, with the reason.
        cursor.execute(
            f"""
            INSERT INTO {history} (id, msp_id, pledge_id, state, origin, requested_at,
                decided_at, message, created_at, requested_by_id, decided_by_id,
                history_date, history_change_reason, history_type, history_user_id)
            SELECT x.id, x.msp_id, x.pledge_id, x.state, x.origin, x.requested_at,
                   x.decided_at, x.message, x.created_at, NULL, NULL,
                   %(now)s, %(reason)s, '+', NULL
            FROM {memberships} x
            WHERE x.origin = 'migration' AND x.msp_id = ANY(%(msps)s)
              AND NOT EXISTS (SELECT 1 FROM {history} h WHERE h.id = x.id)
            """,
            {"now": now, "reason": REASON, "msps": msp_ids},
        )
        # Sync (`updated_since`, ETags) sees the pledges whose tags or links changed.
        cursor.execute(
            f"""
            UPDATE {pledges} p SET updated_at = %(now)s, version = p.version + 1
            WHERE p.id IN (
                SELECT pt.pledge_id FROM {tagged} pt WHERE pt.thematicarea_id = ANY(%(areas)s)
                UNION
                SELECT l.source_id FROM {links} l JOIN {tagged} pt ON pt.pledge_id = l.target_id
                WHERE l.kind = 'contributes_to' AND pt.thematicarea_id = ANY(%(areas)s))
            """,
            {"now": now, "areas": area_ids},
        )
        cursor.execute(
            f"""
            DELETE FROM {links} l USING {tagged} pt
            WHERE pt.pledge_id = l.target_id AND l.kind = 'contributes_to'
              AND pt.thematicarea_id = ANY(%(areas)s)
            """,
            {"areas": area_ids},
        )
        cursor.execute(
            f"DELETE FROM {tagged} WHERE thematicarea_id = ANY(%(areas)s)", {"areas": area_ids}
        )
        cursor.execute(
            f"UPDATE {msps} SET thematic_area_id = NULL WHERE thematic_area_id = ANY(%(areas)s)",
            {"areas": area_ids},
        )
        cursor.execute(f"DELETE FROM {areas_table} WHERE id = ANY(%(areas)s)", {"areas": area_ids})
        cursor.execute(
            f"UPDATE {msps} SET progress_stale_since = %(now)s WHERE id = ANY(%(msps)s)",
            {"now": now, "msps": msp_ids},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0001_initial"),
        ("compacts", "0004_compact_texts_in_six_languages"),
        ("forums", "0003_forum_places_in_six_languages"),
        ("pledges", "0018_search_in_each_language"),
    ]

    operations = [
        # Forward only: the six areas and the links are gone; going back keeps the MSPs.
        migrations.RunPython(move, migrations.RunPython.noop),
    ]
