"""A delivery's channel is a name of core.rules.channels.CHANNELS, checked by the model rather
than by an enum: a new channel needs a row in that table, not a migration. The column stays a
VARCHAR(10)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("models", "0003_security")]

    initial = False

    operations = [
        ops.AlterField(
            model_name="Delivery",
            name="channel",
            field=fields.CharField(max_length=10),
        ),
    ]
