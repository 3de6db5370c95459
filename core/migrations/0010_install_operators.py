"""Install operators (``User.operator``): they create schools from the panel and become their
admins."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_late_notices')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='operator',
            field=fields.BooleanField(default=False),
        ),
    ]
