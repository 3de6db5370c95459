"""The Telegram bot: codes tried per chat (rate limit), updates processed once, conversation
state kept in the database when Redis is not used, documents families send, and why a chat
link ended."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0006_replies_conversation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Attachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('message', fields.ForeignKeyField('models.InboundMessage', source_field='message_id', db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.CASCADE)),
                ('file_name', fields.CharField(max_length=200)),
                ('content_type', fields.CharField(max_length=100)),
                ('size', fields.IntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('path', fields.CharField(max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'attachment', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A document a family sent with a reply (a photo or a PDF of a note): stored under the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BotState',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=200)),
                ('state', fields.CharField(null=True, max_length=200)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'bot_state', 'app': 'models', 'pk_attr': 'id', 'table_description': "A chat's conversation state (which absence is being justified) when Redis is not used:"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BotUpdate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('platform', fields.CharField(default='telegram', max_length=20)),
                ('update_id', fields.BigIntField()),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'bot_update', 'app': 'models', 'unique_together': (('platform', 'update_id'),), 'indexes': [Index(fields=['received_at'])], 'pk_attr': 'id', 'table_description': 'An update the bot processed (Telegram retries a webhook): each is handled once.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChatAttempt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('platform', fields.CharField(default='telegram', max_length=20)),
                ('chat_id', fields.CharField(max_length=64)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('success', fields.BooleanField(default=False)),
            ],
            options={'table': 'chat_attempt', 'app': 'models', 'indexes': [Index(fields=['platform', 'chat_id', 'at'])], 'pk_attr': 'id', 'table_description': 'A code tried in a chat: codes are rate-limited per chat (core.services.access.chat_links).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='ChatLink',
            name='ended_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='ChatLink',
            name='ended_reason',
            field=fields.CharField(null=True, max_length=20),
        ),
    ]
