from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StaffAlert',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('models.School', source_field='school_id', db_constraint=True, to_field='id', related_name='alerts', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=30)),
                ('key', fields.CharField(unique=True, max_length=120)),
                ('level', fields.CharField(default='warning', max_length=10)),
                ('message', fields.TextField(default='', unique=False)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_alert', 'app': 'models', 'indexes': [Index(fields=['school_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'Something staff must know (a quota nearly used up, a provider refusing) — one per key.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Delivery',
            name='claim',
            field=fields.CharField(null=True, max_length=36),
        ),
        ops.AddField(
            model_name='Delivery',
            name='posted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Delivery',
            name='printed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='Delivery',
            index=Index(fields=['claim']),
        ),
        ops.AddField(
            model_name='School',
            name='call_monthly_quota',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='School',
            name='planned_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='School',
            name='quota_alert_percent',
            field=fields.SmallIntField(default=80),
        ),
        ops.AddField(
            model_name='School',
            name='reminder_after_days',
            field=fields.SmallIntField(default=3),
        ),
        ops.AddField(
            model_name='School',
            name='weekly_summary',
            field=fields.BooleanField(default=False),
        ),
    ]
