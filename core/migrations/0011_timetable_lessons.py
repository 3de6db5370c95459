"""The timetable import: week patterns, lessons with their pattern, room, subject code, first
and last day, origin and the lesson they replace; lessons cancelled on a day; a staff member's
STS-Web id per school; a teacher without an email (no login until invited)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from core.models.lesson import LessonOrigin
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0010_install_operators')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LessonCancellation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('models.School', source_field='school_id', db_constraint=True, to_field='id', related_name='lesson_cancellations', on_delete=OnDelete.CASCADE)),
                ('lesson', fields.ForeignKeyField('models.Lesson', source_field='lesson_id', db_constraint=True, to_field='id', related_name='cancellations', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('reason', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'lesson_cancellation', 'app': 'models', 'unique_together': (('lesson', 'day'),), 'indexes': [Index(fields=['school_id', 'day'])], 'pk_attr': 'id', 'table_description': 'A lesson not given on one day (a trip, a teacher away, moved to another time).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WeekPattern',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('models.School', source_field='school_id', db_constraint=True, to_field='id', related_name='week_patterns', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(max_length=20)),
                ('label', fields.CharField(default='', max_length=120)),
                ('mondays', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'week_pattern', 'app': 'models', 'unique_together': (('school', 'code'),), 'pk_attr': 'id', 'table_description': "A timetable's week pattern (ALTERNANCE): the Mondays of the weeks it runs (every week,"},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Invitation',
            name='user',
            field=fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='invitations_for', on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name='Lesson',
            name='ends_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Lesson',
            name='origin',
            field=fields.CharEnumField(default=LessonOrigin.MANUAL, description='TIMETABLE: timetable\nMANUAL: manual', enum_type=LessonOrigin, max_length=12),
        ),
        ops.AddField(
            model_name='Lesson',
            name='pattern',
            field=fields.ForeignKeyField('models.WeekPattern', source_field='pattern_id', null=True, db_constraint=True, to_field='id', related_name='lessons', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Lesson',
            name='replaces',
            field=fields.ForeignKeyField('models.Lesson', source_field='replaces_id', null=True, db_constraint=True, to_field='id', related_name='replacements', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Lesson',
            name='room',
            field=fields.CharField(default='', max_length=40),
        ),
        ops.AddField(
            model_name='Lesson',
            name='starts_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Lesson',
            name='subject_code',
            field=fields.CharField(default='', max_length=20),
        ),
        ops.AddField(
            model_name='Membership',
            name='sts_id',
            field=fields.CharField(null=True, max_length=20),
        ),
        ops.AlterField(
            model_name='User',
            name='email',
            field=fields.CharField(null=True, unique=True, max_length=254),
        ),
    ]
