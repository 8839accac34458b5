"""The audit log: who did what to which object, when, and what it looked like before and after."""
