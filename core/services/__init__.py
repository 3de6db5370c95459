"""Services: the only code that changes the models, grouped by capability.

``delivery`` (the outbox, sending, provider reports, letters to print), ``notices`` (what calls
for a notice and when: absence notices, dated notices, convocations, replies), ``templates`` (the
words of a notice: school templates, letters, rendering values), ``schools`` (a school, its
settings, lists, closed days, staff and users), ``access`` (login, sessions, tokens, one's
account), ``siecle`` (the SIECLE import), ``events`` (absences and lateness, the roll call,
actions, saved searches); ``audit`` and ``ports`` serve them all.
"""
