"""Who gets in: login with throttling, sessions, API tokens, a user's own account."""
