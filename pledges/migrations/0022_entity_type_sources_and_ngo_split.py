"""Entity types name their source paragraph, and NGOs split into local/national and
international ones (issue 18).

The type `ngo` stays — its code is in API filters, saved links and dashboards — and now means
a local or national NGO; `ngo_international` is new. Existing entities of type `ngo` without a
country move to `ngo_international` (an organisation tied to no country works across them);
those with a country stay local/national. The secretariat corrects the few it gets wrong in the
admin. The other new types, and every type's source, come from `load_reference_data`.
"""

from typing import Any

from django.db import migrations, models
from django.utils import timezone

OLD_NGO_NAME = "NGO / civil society"
NGO_NAMES = {
    "en": "Local or national NGO / civil society",
    "ar": "منظمة غير حكومية محلية أو وطنية / مجتمع مدني",
    "zh_hans": "地方或国家非政府组织/民间社会",
    "fr": "ONG locale ou nationale / société civile",
    "ru": "Местная или национальная НПО / гражданское общество",
    "es": "ONG local o nacional / sociedad civil",
}
INTERNATIONAL = {
    "code": "ngo_international",
    "position": 6,
    "source": "GCR ¶33 (A/73/12 (Part II)); GCM ¶44, civil society (A/RES/73/195)",
    "names": {
        "en": "International NGO",
        "ar": "منظمة غير حكومية دولية",
        "zh_hans": "国际非政府组织",
        "fr": "ONG internationale",
        "ru": "Международная НПО",
        "es": "ONG internacional",
    },
}
# Shipped positions before and after the new types joined the list: a position the secretariat
# changed is kept.
POSITIONS = {
    "state": (1, 1),
    "un_agency": (2, 2),
    "ifi": (3, 4),
    "ngo": (4, 5),
    "refugee_led": (5, 7),
    "faith_based": (6, 10),
    "private_sector": (7, 14),
    "foundation": (8, 15),
    "academia": (9, 16),
    "local_authority": (10, 18),
    "parliament": (11, 19),
    "sports": (12, 20),
    "other": (13, 21),
}


def _names(names: dict[str, str]) -> dict[str, str]:
    return {"name": names["en"], **{f"name_{lang}": text for lang, text in names.items()}}


def split_ngos(apps: Any, schema_editor: Any) -> None:
    EntityType = apps.get_model("pledges", "EntityType")
    Entity = apps.get_model("pledges", "Entity")
    Objective = apps.get_model("compacts", "Objective")
    ngo = EntityType.objects.filter(code="ngo").first()
    if ngo is None:  # an empty database: load_reference_data ships every type
        return
    for code, (old, new) in POSITIONS.items():
        EntityType.objects.filter(code=code, position=old).update(position=new)
    if ngo.name == OLD_NGO_NAME:  # not renamed by the secretariat
        EntityType.objects.filter(pk=ngo.pk).update(**_names(NGO_NAMES))
    international, _created = EntityType.objects.get_or_create(
        code=INTERNATIONAL["code"],
        defaults={
            "position": INTERNATIONAL["position"],
            "source": INTERNATIONAL["source"],
            **_names(INTERNATIONAL["names"]),
        },
    )
    moved = Entity.objects.filter(entity_type=ngo, country__isnull=True).update(
        entity_type=international
    )
    if moved:
        # Progress is sliced by entity type: the next run of the engine recomputes it.
        Objective.objects.update(progress_stale_since=timezone.now())


def merge_ngos(apps: Any, schema_editor: Any) -> None:
    EntityType = apps.get_model("pledges", "EntityType")
    Entity = apps.get_model("pledges", "Entity")
    ngo = EntityType.objects.filter(code="ngo").first()
    international = EntityType.objects.filter(code=INTERNATIONAL["code"]).first()
    if ngo is None or international is None:
        return
    Entity.objects.filter(entity_type=international).update(entity_type=ngo)


class Migration(migrations.Migration):
    dependencies = [
        ("compacts", "0004_compact_texts_in_six_languages"),
        ("pledges", "0021_rounds_reaffirmations_co_pledger_updates"),
    ]

    operations = [
        migrations.AddField(
            model_name="entitytype",
            name="source",
            field=models.CharField(blank=True, max_length=300, verbose_name="source"),
        ),
        migrations.RunPython(split_ngos, merge_ngos),
    ]
