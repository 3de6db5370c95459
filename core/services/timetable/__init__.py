"""Applying the timetable\x27s files to a school (see :mod:`core.timetable` for reading them)."""
