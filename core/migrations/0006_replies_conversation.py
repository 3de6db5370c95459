"""Replies, second part: the question asked to a family with several children (reply_question),
the number a reply was sent to and the delivery it answers, a school's own SMS sender and its
vie scolaire address for Reply-To; the statuses "acknowledged" (keypad 1) and the notice kind
"answer" (staff answering a family) and "thanks" (a reply acknowledged).

On SQLite, altering a column rebuilds its table, and the rebuild leaves out the table's
multi-column unique constraints and indexes: 0004 lost those of ``delivery``, this migration's
own alterations those of ``inbound_message`` and ``notice``. The last operation puts them back
(a provider's report or reply twice is then refused by the database again, and the sweep's and
the pages' queries find their indexes)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from core.models.inbound import InboundStatus
from core.models.notice import NoticeKind
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# (table, columns, unique) as the models declare them at this migration
RESTORED = (
    ("delivery", ("provider", "provider_ref"), True),
    ("delivery", ("status", "not_before"), False),
    ("delivery", ("notice_id", "status"), False),
    ("delivery", ("claim",), False),
    ("inbound_message", ("provider", "provider_ref"), True),
    ("inbound_message", ("school_id", "status", "received_at"), False),
    ("notice", ("school_id", "status", "created_at"), False),
    ("notice", ("student_id", "created_at"), False),
)


async def restore_sqlite_indexes(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect != "sqlite":
        return  # PostgreSQL alters columns in place and keeps them
    for table, columns, unique in RESTORED:
        name = ("uid" if unique else "idx") + f"_{table}_" + "_".join(columns)
        names = ", ".join(f'"{column}"' for column in columns)
        kind = "UNIQUE INDEX" if unique else "INDEX"
        await client.execute_script(
            f'CREATE {kind} IF NOT EXISTS "{name}" ON "{table}" ({names})'
        )


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
            field=fields.CharEnumField(default=InboundStatus.PENDING, description='RECEIVED: received\nPENDING: pending\nACCEPTED: accepted\nREJECTED: rejected\nUNMATCHED: unmatched\nOPT_OUT: opt_out\nACKNOWLEDGED: acknowledged', enum_type=InboundStatus, max_length=12),
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
            field=fields.CharEnumField(description='ABSENCE: absence\nLATENESS: lateness\nREMINDER: reminder\nTHRESHOLD: threshold\nPERSISTENT: persistent\nWEEKLY_SUMMARY: weekly_summary\nCONVOCATION: convocation\nANSWER: answer\nTHANKS: thanks', enum_type=NoticeKind, max_length=20),
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
        ops.RunPython(restore_sqlite_indexes, ops.RunPython.noop),
    ]
