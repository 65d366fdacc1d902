"""The indicator–organisation grant moves to the partner side
(bti.Organisation.indicators): state only here, bti's migration 0010 takes
the table over and renames it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0007_job_worker_heartbeat"),
        ("bti", "0009_invitations"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField(model_name="indicator", name="organisations")],
            database_operations=[],
        ),
    ]
