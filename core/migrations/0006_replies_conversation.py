"""Replies, second part: the question asked to a family with several children (reply_question),
the number a reply was sent to and the delivery it answers, a school's own SMS sender and its
vie scolaire address for Reply-To; the statuses "acknowledged" (keypad 1) and the notice kind
"answer" (staff answering a family)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from core.models.inbound import InboundStatus
from core.models.notice import NoticeKind
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_reply_reading')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReplyQuestion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('models.School', source_field='school_id', db_constraint=True, to_field='id', related_name='reply_questions', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='reply_questions', on_delete=OnDelete.CASCADE)),
                ('message', fields.ForeignKeyField('models.InboundMessage', source_field='message_id', db_constraint=True, to_field='id', related_name='questions', on_delete=OnDelete.CASCADE)),
                ('sender', fields.CharField(max_length=254)),
                ('choices', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('asked_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reply_question', 'app': 'models', 'indexes': [Index(fields=['sender', 'asked_at'])], 'pk_attr': 'id', 'table_description': 'A question asked to a family after a reply ("Répondez 1 pour Léa, 2 pour Hugo"): the'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='InboundMessage',
            name='status',
            field=fields.CharEnumField(default=InboundStatus.PENDING, description='PENDING: pending\nACCEPTED: accepted\nREJECTED: rejected\nUNMATCHED: unmatched\nOPT_OUT: opt_out\nACKNOWLEDGED: acknowledged', enum_type=InboundStatus, max_length=12),
        ),
        ops.AddField(
            model_name='InboundMessage',
            name='delivery',
            field=fields.ForeignKeyField('models.Delivery', source_field='delivery_id', null=True, db_constraint=True, to_field='id', related_name='replies', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='InboundMessage',
            name='recipient',
            field=fields.CharField(null=True, max_length=254),
        ),
        ops.AlterField(
            model_name='Notice',
            name='kind',
            field=fields.CharEnumField(description='ABSENCE: absence\nLATENESS: lateness\nREMINDER: reminder\nTHRESHOLD: threshold\nPERSISTENT: persistent\nWEEKLY_SUMMARY: weekly_summary\nCONVOCATION: convocation\nANSWER: answer', enum_type=NoticeKind, max_length=20),
        ),
        ops.AddField(
            model_name='School',
            name='reply_to',
            field=fields.CharField(null=True, max_length=254),
        ),
        ops.AddField(
            model_name='School',
            name='sms_sender',
            field=fields.CharField(null=True, max_length=20),
        ),
    ]
