"""Every msgid the bank loader can report, in one place.

Kept together so the format reference (docs/question-bank-format.md) can list them all
(a test checks it does) and translators see them side by side. Placeholders are
``%(name)s``; their values come from the file and are never translated.
"""

from question_bank.errors import N_

# The file as a whole
FILE_EMPTY = N_("the file is empty")
NOT_UTF8 = N_("the file is not UTF-8: byte 0x%(byte)s cannot be decoded")
YAML_SYNTAX = N_("YAML syntax error: %(detail)s")
TOP_NOT_MAPPING = N_(
    "the file must be a mapping with the keys format, bank, categories and questions"
)
BAD_FORMAT = N_("unsupported format %(value)s: expected %(expected)s")

# Mappings and keys
DUPLICATE_KEY = N_("duplicate key %(key)s (first on line %(first)s)")
KEY_NOT_NAME = N_("a key must be a plain name, not a list or a mapping")
UNKNOWN_KEY = N_("unknown key %(key)s (allowed here: %(allowed)s)")
MISSING_KEY = N_("missing key %(key)s")
NOT_MAPPING = N_("%(key)s must be a mapping of names to values")
NOT_LIST = N_("%(key)s must be a list")
NOT_SCALAR = N_("%(key)s must be a single value, not a list or a mapping")
EMPTY_TEXT = N_("%(key)s must not be empty")
NOT_BOOL = N_("%(key)s must be true or false, not %(value)s")

# Ids and languages
BAD_SLUG = N_(
    "%(key)s %(value)s is not a valid id: use a-z, 0-9 and '-', "
    "starting with a letter or digit, at most %(max)s characters"
)
UNKNOWN_LANGUAGE = N_("unknown language %(code)s (allowed: %(allowed)s)")
NO_LANGUAGE = N_("%(key)s needs at least one language block (%(allowed)s)")
DUPLICATE_CATEGORY = N_("duplicate category id %(id)s (first on line %(first)s)")
DUPLICATE_QUESTION = N_("duplicate question id %(id)s (first on line %(first)s)")
UNKNOWN_CATEGORY = N_("category %(category)s is not listed under categories")
DUPLICATE_TAG = N_("tag %(tag)s is listed twice")

# Question fields
BAD_KIND = N_("unknown kind %(value)s (allowed: single, multiple, truefalse)")
BAD_DIFFICULTY = N_("difficulty must be 1, 2 or 3, not %(value)s")

# Options
BAD_OPTION_KEY = N_("option key %(key)s is not one of A-H")
OPTION_COUNT = N_("a question needs 2 to 8 options, not %(count)s")
OPTION_GAP = N_("option keys must run from A without gaps: %(missing)s is missing")
EMPTY_OPTION = N_("option %(key)s must not be empty")
OPTIONS_DIFFER = N_(
    "the %(language)s options have keys %(keys)s but the %(other)s options have %(other_keys)s"
)
TRUEFALSE_OPTIONS = N_("a truefalse question has no options: its keys are T and F")

# Answers
BAD_ANSWER = N_("answer must be an option key or a list of option keys")
ANSWER_NOT_OPTION = N_("answer %(key)s is not one of the options %(keys)s")
ANSWER_TWICE = N_("answer key %(key)s is listed twice")
SINGLE_ANSWER_COUNT = N_("a single question needs exactly one answer key, not %(count)s")
MULTIPLE_NO_ANSWER = N_("a multiple question needs at least one answer key")
TRUEFALSE_ANSWER = N_("a truefalse answer must be true or false, not %(value)s")


def all_messages() -> dict[str, str]:
    """Name -> msgid for every message above (used by the docs test and by translators)."""
    return {
        name: value
        for name, value in globals().items()
        if name.isupper() and isinstance(value, str) and not name.startswith("_")
    }
