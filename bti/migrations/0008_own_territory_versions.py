# Own territories keep their communes in versions (indicators.OwnTerritoryVersion):
# each existing territory gets one, holding its communes; deleting marks.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def communes_to_versions(apps, schema_editor):
    OwnTerritory = apps.get_model("bti", "OwnTerritory")
    Version = apps.get_model("indicators", "OwnTerritoryVersion")
    for territory in OwnTerritory.objects.all():
        version = Version.objects.create()
        version.communes.set(territory.communes.all())
        territory.version = version
        territory.save(update_fields=["version"])


class Migration(migrations.Migration):
    dependencies = [
        ("bti", "0007_saved_queries"),
        ("indicators", "0006_own_versions_relations_release"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="ownterritory",
            name="version",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="indicators.ownterritoryversion",
                verbose_name="version en service",
            ),
        ),
        migrations.RunPython(communes_to_versions, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="ownterritory",
            name="version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="indicators.ownterritoryversion",
                verbose_name="version en service",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="ownterritory",
            name="own_territory_name_unique",
        ),
        migrations.RemoveField(
            model_name="ownterritory",
            name="communes",
        ),
        migrations.AddField(
            model_name="ownterritory",
            name="deleted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="supprimé le"),
        ),
        migrations.AddConstraint(
            model_name="ownterritory",
            constraint=models.UniqueConstraint(
                condition=models.Q(("deleted_at", None)),
                fields=("organisation", "name"),
                name="own_territory_name_unique",
            ),
        ),
    ]
