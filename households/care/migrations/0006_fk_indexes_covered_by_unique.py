"""Drop the meter_id-only indexes of readings and hourly usage: the unique (meter, ts) and
(meter, hour) indexes start with meter_id and serve every lookup by meter (the ingest's range
reads, the device check, cascades). Each reading and each hour written paid for one index less.

Only the indexes are dropped (same names on PostgreSQL and SQLite, as 0001 created them): a
plain AlterField would also drop and re-add the foreign key on PostgreSQL, re-checking every
stored row under a lock that blocks ingestion, and rebuild both tables on SQLite.
The `received_at` index stays: the portable (SQLite) ingest counts its inserts by it.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = [("care_reading", "care_reading_meter_id_5df2c929"),
           ("care_hourlyusage", "care_hourlyusage_meter_id_1259864b")]


class Migration(migrations.Migration):

    dependencies = [
        ("care", "0005_detector_window_2"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="hourlyusage",
                    name="meter",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            related_name="hourly", to="care.meter"),
                ),
                migrations.AlterField(
                    model_name="reading",
                    name="meter",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            related_name="readings", to="care.meter"),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("meter_id")',
                )
                for table, name in INDEXES
            ],
        ),
    ]
