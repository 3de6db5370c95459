"""A school's ``midday_tolerance_minutes``: a lesson running over midday by at most this many
minutes belongs whole to the half-day it mostly lies in (10 by default)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("models", "0014_missed_half_days")]

    initial = False

    operations = [
        ops.AddField(
            model_name="School",
            name="midday_tolerance_minutes",
            field=fields.SmallIntField(default=10),
        ),
    ]
