"""Question banks stored in SQL: one question, one answer key, a text per language."""
