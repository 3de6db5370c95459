"""A school's ``late_notice_days``: an absence entered after its day is still notified when it is at
most that many days old (7 by default)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_chat_code_notice')]

    initial = False

    operations = [
        ops.AddField(
            model_name='School',
            name='late_notice_days',
            field=fields.SmallIntField(default=7),
        ),
    ]
