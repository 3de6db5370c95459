"""A school's ``retention_years``: the school years kept, the current one included (3 by
default); ``absences purge`` deletes older ones."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0012_holiday_zones')]

    initial = False

    operations = [
        ops.AddField(
            model_name='School',
            name='retention_years',
            field=fields.SmallIntField(default=3),
        ),
    ]
