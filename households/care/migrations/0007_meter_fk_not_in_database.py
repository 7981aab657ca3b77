"""Readings and hourly usage keep their meter_id without a database foreign key (see the comment
on Reading.meter): the deferred check queued by every reading and every hourly row written made
each ingest commit pay one lookup and one row lock on care_meter per row.

On PostgreSQL this only drops the two constraints (no table rewrite, no scan). On SQLite the
constraint is part of the table's definition, so Django rebuilds the two tables once.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("care", "0006_fk_indexes_covered_by_unique"),
    ]

    operations = [
        migrations.AlterField(
            model_name="hourlyusage",
            name="meter",
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="hourly", to="care.meter"),
        ),
        migrations.AlterField(
            model_name="reading",
            name="meter",
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="readings", to="care.meter"),
        ),
    ]
