"""Events: absences and lateness recorded and changed, the roll call, actions taken about a
student, saved follow-up searches."""
