"""Notices: absence notices written with their event, dated notices (reminders, thresholds,
summaries), convocations, the recipients they go to, and families' replies."""
