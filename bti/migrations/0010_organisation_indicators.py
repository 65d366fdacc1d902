"""The indicator–organisation grant belongs to the partner side: the table
Indicator.organisations used (indicators_indicator_organisations, same
columns) becomes Organisation.indicators' own, renamed, rows kept."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bti", "0009_invitations"),
        ("indicators", "0008_indicator_grants_move_to_bti"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="organisation",
                    name="indicators",
                    field=models.ManyToManyField(
                        blank=True,
                        db_table="indicators_indicator_organisations",
                        related_name="granted_to",
                        to="indicators.indicator",
                        verbose_name="indicateurs réservés accordés",
                    ),
                ),
            ],
            database_operations=[],
        ),
        # now Django's own name for it: bti_organisation_indicators
        migrations.AlterField(
            model_name="organisation",
            name="indicators",
            field=models.ManyToManyField(
                blank=True,
                help_text="Indicateurs à l'accès « organisations désignées » que les membres formés de "
                "l'organisation voient.",
                related_name="granted_to",
                to="indicators.indicator",
                verbose_name="indicateurs réservés accordés",
            ),
        ),
    ]
