"""The notice kind "chat_code": a guardian's Telegram code sent by staff (SMS, email, letter).

On SQLite, altering ``notice.kind`` rebuilds the table and leaves out its multi-column
indexes; the last operation puts them back (as 0006 does)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from core.models.notice import NoticeKind
from tortoise import fields

# (table, columns) as the models declare them at this migration
RESTORED = (
    ("notice", ("school_id", "status", "created_at")),
    ("notice", ("student_id", "created_at")),
)


async def restore_sqlite_indexes(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect != "sqlite":
        return  # PostgreSQL alters columns in place and keeps them
    for table, columns in RESTORED:
        name = f"idx_{table}_" + "_".join(columns)
        names = ", ".join(f'"{column}"' for column in columns)
        await client.execute_script(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({names})')

class Migration(migrations.Migration):
    dependencies = [('models', '0007_telegram_bot')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Notice',
            name='kind',
            field=fields.CharEnumField(description='ABSENCE: absence\nLATENESS: lateness\nREMINDER: reminder\nTHRESHOLD: threshold\nPERSISTENT: persistent\nWEEKLY_SUMMARY: weekly_summary\nCONVOCATION: convocation\nANSWER: answer\nTHANKS: thanks\nCHAT_CODE: chat_code', enum_type=NoticeKind, max_length=20),
        ),
        ops.RunPython(restore_sqlite_indexes, ops.RunPython.noop),
    ]
