"""A school: its creation and settings, timetable slots and colours, lists, closed days,
logo, starting defaults, staff, users and invitations."""
