"""Contests, their leagues (divisions), rounds and enrollments."""
