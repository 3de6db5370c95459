from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0013_retention_years')]

    initial = False

    operations = [
        ops.CreateModel(
            name='HalfDayLedger',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.OneToOneField('models.School', source_field='school_id', db_constraint=True, to_field='id', related_name='half_day_ledger', on_delete=OnDelete.CASCADE)),
                ('calendar', fields.CharField(max_length=64)),
                ('built_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'half_day_ledger', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Per school: the calendar the missed half-days were computed with (a fingerprint of its'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MissedHalfDay',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('models.School', source_field='school_id', db_constraint=True, to_field='id', related_name='missed_half_days', on_delete=OnDelete.CASCADE)),
                ('student', fields.ForeignKeyField('models.Student', source_field='student_id', db_constraint=True, to_field='id', related_name='missed_half_days', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('half', fields.CharField(max_length=2)),
                ('lesson_seconds', fields.IntField()),
                ('missed_all', fields.IntField()),
                ('missed_unjustified', fields.IntField()),
            ],
            options={'table': 'missed_half_day', 'app': 'models', 'unique_together': (('student_id', 'day', 'half'),), 'indexes': [Index(fields=['school_id', 'day'])], 'pk_attr': 'id', 'table_description': 'One school half-day a student missed, kept in the transaction of each event change so'},
            bases=['Model'],
        ),
    ]
