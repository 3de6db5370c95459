from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0015_midday_tolerance')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Event',
            index=Index(fields=['school_id', 'ends_at']),
        ),
    ]
