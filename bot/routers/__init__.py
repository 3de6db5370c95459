"""One router per feature, built anew for each Dispatcher (a router belongs to one)."""
