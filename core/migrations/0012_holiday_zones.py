"""A school's holiday zone holds A, B, C, Corse or an overseas académie's name; a closed day
says whether it was filled from the zone's calendar and the public holidays (``national``) or
added by staff."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0011_timetable_lessons')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='School',
            name='holiday_zone',
            field=fields.CharField(null=True, max_length=30),
        ),
        ops.AddField(
            model_name='ClosedDay',
            name='national',
            field=fields.BooleanField(default=False),
        ),
    ]
