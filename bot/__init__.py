"""The Telegram bot (aiogram 3): families link a chat with a one-time code, then see their
children's open absences, justify them (a reason, a photo or a PDF), read the notices sent to
them, choose their channel and language, and write to the school.

``bot.factory`` builds the Bot and the Dispatcher (one router per feature, in
``bot.routers``); ``bot.webhook`` mounts ``POST /hooks/telegram`` in the aiohttp app;
``absences bot`` polls instead. What a chat may see is decided once per update by
``bot.context``: the guardians it is linked to, none for a chat never linked.
"""
