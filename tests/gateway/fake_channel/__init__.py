"""A channel that does not ship, added the way a new one is: its row in the channel table,
its provider's folder (adapter, report parser, declaration) and a local server speaking the
provider's protocol — what ``tests/gateway/test_fake_channel.py`` shows costs nothing more."""
