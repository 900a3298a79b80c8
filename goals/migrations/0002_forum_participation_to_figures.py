"""Move the forums' bare participation columns into official figures with a source.

Where the source of a forum's numbers is known it is recorded (GRF 2023: the co-hosts' summary,
whose wording the figure keeps: "more than 4,200", "168 government delegations"), with the
label and position that bootstrap/data/forum_goals.json ships, so that loading it finds these
rows instead of adding copies. Anything else is recorded as "Forum record (source not
recorded)" for the secretariat to correct in the admin. Labels are English; other languages
fall back to it until the reference data fills them.
"""

from django.db import migrations

UNKNOWN_SOURCE = "Forum record (source not recorded)"
GRF23_SUMMARY = (
    "Summary of the Global Refugee Forum 2023 by the co-hosts and co-convenors, 15 December "
    "2023: https://www.unhcr.org/news/speeches-and-statements/"
    "summary-global-refugee-forum-2023-co-hosts-and-co-convenors"
)
# forum code → column → (label, qualifier, source, as of, position)
KNOWN = {
    "GRF23": {
        "participants": ("Participants in person", "more than", GRF23_SUMMARY, "2023-12-15", 2),
        "countries_represented": ("Government delegations", "", GRF23_SUMMARY, "2023-12-15", 3),
        "online_participants": ("Participants online", "more than", GRF23_SUMMARY, "2023-12-15", 4),
    }
}
# column → (label, unit, position)
COLUMNS = {
    "participants": ("Participants in person", "persons", 90),
    "online_participants": ("Participants online", "persons", 91),
    "countries_represented": ("Countries represented", "count", 92),
}


def forward(apps, schema_editor):
    Forum = apps.get_model("forums", "Forum")
    OfficialFigure = apps.get_model("goals", "OfficialFigure")
    figures = []
    for forum in Forum.objects.order_by("pk"):
        for column, (label, unit, position) in COLUMNS.items():
            value = getattr(forum, column)
            if value is None:
                continue
            qualifier, source, as_of = "", UNKNOWN_SOURCE, None
            if column in KNOWN.get(forum.code, {}):
                label, qualifier, source, as_of, position = KNOWN[forum.code][column]
            figures.append(
                OfficialFigure(
                    forum_id=forum.pk,
                    label=label,
                    label_en=label,
                    value=value,
                    unit=unit,
                    qualifier=qualifier,
                    source=source,
                    as_of=as_of,
                    position=position,
                    legacy_field=column,
                )
            )
    OfficialFigure.objects.bulk_create(figures)


def backward(apps, schema_editor):
    Forum = apps.get_model("forums", "Forum")
    OfficialFigure = apps.get_model("goals", "OfficialFigure")
    for figure in OfficialFigure.objects.exclude(legacy_field="").order_by("pk"):
        Forum.objects.filter(pk=figure.forum_id).update(**{figure.legacy_field: int(figure.value)})
    OfficialFigure.objects.exclude(legacy_field="").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("goals", "0001_initial"),
        ("forums", "0003_forum_places_in_six_languages"),
    ]

    operations = [migrations.RunPython(forward, backward)]
