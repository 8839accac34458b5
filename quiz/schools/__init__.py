"""Schools that enrol classes (the school console itself is a later issue)."""
