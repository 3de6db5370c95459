"""Deliveries: the outbox rows, sending them through the ports, what providers report, the
staff's alerts, correcting a contact after a failure, resending, letters to print."""
