"""What a family's reply was read as: the national generic reason it gives and how sure the
reading is (core.rules.replies); when the family was thanked in reply."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_channel_name')]

    initial = False

    operations = [
        ops.AddField(
            model_name='InboundMessage',
            name='acknowledged_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='InboundMessage',
            name='confidence',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='InboundMessage',
            name='proposed_generic',
            field=fields.CharField(null=True, max_length=30),
        ),
    ]
