"""Fill the look-alike keys (0013) of every existing entity.

Rows are visited verified first, then oldest first, so the entity that keeps a key shared by
several look-alikes is the one the public knows. A later row whose key is taken keeps NULL for
that key: it stays as it is (nothing is renamed or declined behind the secretariat's back),
registrations that look like it are still refused through the first row, and the secretariat's
queue shows them side by side. They are listed on the console so that an operator can decide.
"""

from django.db import migrations


def fill(apps, schema_editor):
    from pledges.names import cased_name_skeleton, name_skeleton

    entity_model = apps.get_model("pledges", "Entity")
    keys = {"name_skeleton": name_skeleton, "cased_name_skeleton": cased_name_skeleton}
    seen: dict[str, dict[str, int]] = {field: {} for field in keys}
    rows = entity_model.objects.order_by("-is_verified", "created_at", "pk").only("pk", "name")
    for entity in rows.iterator(chunk_size=2000):
        values = {}
        for field, key in keys.items():
            value = key(entity.name)
            if value in seen[field]:
                print(f"  entity {entity.pk} looks like entity {seen[field][value]} ({field})")
                continue
            seen[field][value] = entity.pk
            values[field] = value
        entity_model.objects.filter(pk=entity.pk).update(**values)


def clear(apps, schema_editor):
    apps.get_model("pledges", "Entity").objects.update(name_skeleton=None, cased_name_skeleton=None)


class Migration(migrations.Migration):
    dependencies = [("pledges", "0013_entity_name_skeleton_and_decline")]

    operations = [migrations.RunPython(fill, clear, elidable=False)]
