"""Every msgid the bank loader and the file formats can report, in one place.

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
BAD_KIND = N_("unknown kind %(value)s (allowed: single, multiple, truefalse, fill)")
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

# Everything above is what the YAML loader reports; below, what the other file formats
# (question_bank/formats) add. ``all_messages`` keeps its meaning (the YAML loader's).
_YAML_NAMES = frozenset(name for name in dict(globals()) if name.isupper())

# Files of any format
# Sizes are passed as text from ``question_bank.human_size`` ("8 MB").
FILE_TOO_LARGE = N_("the file is %(size)s; the limit is %(limit)s")
UNKNOWN_FORMAT = N_(
    "cannot tell the format of this file: name it .yaml, .csv, .xlsx, .xls, .docx, .zip, "
    ".gift, .xml or .txt, or choose the format (%(allowed)s)"
)
UNSUPPORTED_FORMAT = N_("unknown format %(value)s (allowed: %(allowed)s)")
NOT_TEXT_ENCODING = N_(
    "the file is neither UTF-8 nor GBK/GB18030: byte 0x%(byte)s on line %(line)s cannot be "
    "decoded; save it as CSV UTF-8"
)

# Spreadsheets (CSV and XLSX)
NO_HEADER_ROW = N_(
    "no header row found: the first row must name the columns, "
    "e.g. 题目, 选项A, 选项B, 答案 (question, option A, option B, answer)"
)
MISSING_COLUMN = N_("the column %(column)s is missing")
DUPLICATE_COLUMN = N_("the column %(column)s appears twice (first in %(first)s)")
UNKNOWN_COLUMN = N_("the column %(column)s is not known and was ignored")
BAD_ANSWER_VALUE = N_(
    "answer %(value)s is not understood: write option keys such as B or A,C, "
    "or for true/false 正确/错误 (T/F)"
)
CSV_SYNTAX = N_("CSV syntax error: %(detail)s")
BAD_BOOL_VALUE = N_("%(column)s must be yes or no (是/否), not %(value)s")
XLSX_DAMAGED = N_(
    "the file is not a readable XLSX workbook (it may be truncated or damaged): %(detail)s"
)
ZIP_TOO_LARGE = N_("the workbook unpacks to %(size)s, over the limit of %(limit)s: refused")
ZIP_TOO_MANY_ENTRIES = N_(
    "the workbook holds %(count)s files, over the limit of %(limit)s: refused"
)
DOCX_DAMAGED = N_(
    "the file is not a readable Word document (.docx; it may be truncated or damaged, or an "
    "old .doc): %(detail)s"
)
XLS_DAMAGED = N_("the file is not a readable Excel 97-2003 workbook (.xls): %(detail)s")
ZIP_NO_SHEET = N_(
    "the .zip holds no spreadsheet (.xlsx, .xls or .csv) or Word document (.docx) to import"
)
SHEET_SKIPPED = N_(
    "the sheet %(sheet)s has no question header row (题目, 答案, ...) and was not read"
)
TOO_MANY_ROWS = N_("the sheet has over %(limit)s rows: split it into several files")
NO_QUESTION_SHEET = N_("the workbook has no sheet with questions")

# Questions from any format
NO_ANSWER = N_("the answer is missing: give the key of the right option (e.g. B or A,C)")
NO_CORRECT_OPTION = N_("no option is marked correct")
SEVERAL_FULLY_CORRECT = N_(
    "%(count)s options are marked fully correct in a single-choice question: keep one, "
    "or make it a multiple-choice question"
)
BAD_WEIGHT = N_(
    "the answer weight %(weight)s is not one of Moodle's grades (100, 90, 83.33333, 80, 75, "
    "70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, 11.11111, "
    "10, 5, 0 or their negatives)"
)

# Non-fatal notes (warnings and skipped questions)
UNSUPPORTED_KIND = N_(
    "%(kind)s questions are not supported (only single, multiple, true/false and fill-in): skipped"
)
DUPLICATE_OF_EXISTING = N_("the same question is already stored as %(existing)s: skipped")
DUPLICATE_IN_FILE = N_("the same question as on line %(first)s (both are imported)")
WEIGHTS_SIMPLIFIED = N_(
    "partial-credit weights are not kept: the options with a positive weight are the right ones"
)
ID_REPLACED = N_("%(value)s is not a valid id, so the question gets the id %(id)s")
MEDIA_DROPPED = N_("the text refers to an image, a sound or a link, which is not imported")

# Pictures
MEDIA_SVG = N_("the picture %(name)s is an SVG, which is refused: use PNG, JPEG, GIF or WebP")
MEDIA_TYPE = N_(
    "the picture %(name)s is not a PNG, JPEG, GIF or WebP picture (checked by its content)"
)
MEDIA_TOO_LARGE = N_("the picture %(name)s is %(size)s; the limit is %(limit)s: make it smaller")
MEDIA_MISSING = N_(
    "the picture %(name)s is not in the upload: put the spreadsheet and its pictures in one "
    ".zip file, named as in the picture column"
)
MEDIA_NOT_FETCHED = N_(
    "the picture %(url)s is only a web address and was not fetched: put the picture file "
    "in the upload instead"
)

MENKSOFT_CONVERTED = N_(
    "%(count)s text fields were typed in Menksoft Mongolian (private-use glyph codes) and "
    "were converted to Unicode Mongolian: check them in the preview"
)

# What the app reports of an import (the library gives the values)
NOTHING_TO_IMPORT = N_(
    "the file has no question that can be imported: every question is skipped or already "
    "stored (see the list)"
)
POINTS_NOT_STORED = N_(
    "%(count)s questions give points (分值), which this server does not store yet: the "
    "round decides what a question is worth"
)
STORED_QUESTION_CHANGES = N_("this import would change the stored question: %(fields)s")
CHANGES_NEED_CONFIRMATION = N_(
    "%(count)s stored questions would change (see the list): nothing was imported; import "
    "again with %(option)s to change them"
)

# Fill-in questions
FILL_NO_BLANKS = N_(
    "a fill-in question needs the accepted answers of each blank, e.g. 氧气/O2|二氧化碳 "
    "(blanks separated by |, accepted answers by /)"
)
BLANKS_DIFFER = N_(
    "the %(language)s answers have %(count)s blanks but the %(other)s answers have %(other_count)s"
)
FILL_OPTIONS = N_("a fill-in question has no options: give its answers in the answer column")
BAD_POINTS = N_("points must be a number above 0, not %(value)s")
BAD_BENCHMARK = N_("benchmark must be one of B01 to B26, not %(value)s")
BAD_LITERACY_PART = N_(
    "part must be knowledge, method, spirit or application, not %(value)s"
)
PART_WITHOUT_BENCHMARK = N_("part is given without a benchmark")

# GIFT
GIFT_BRACES = N_("the answer block must be between one { and one }")
GIFT_NAME_UNCLOSED = N_("the question name starting with :: has no closing ::")

# Moodle XML
XML_SYNTAX = N_("XML syntax error: %(detail)s")
XML_FORBIDDEN = N_("the file declares a DTD or entities, which are refused for safety")
XML_NOT_QUIZ = N_("the file is not Moodle XML: its root element is %(tag)s, not quiz")
BAD_NUMBER = N_("%(key)s must be a number, not %(value)s")

# Aiken
AIKEN_CHOICE_OUTSIDE = N_("an option line before any question")
AIKEN_ANSWER_OUTSIDE = N_("an ANSWER line before any question")
AIKEN_UNFINISHED = N_(
    "the question starting on line %(first)s has no ANSWER line before the next question"
)
AIKEN_NO_ANSWER_AT_END = N_("the question starting on line %(first)s has no ANSWER line")


def _messages(names: frozenset[str] | None, inside: bool) -> dict[str, str]:
    return {
        name: value
        for name, value in globals().items()
        if name.isupper()
        and isinstance(value, str)
        and not name.startswith("_")
        and (names is None or (name in names) == inside)
    }


def all_messages() -> dict[str, str]:
    """Name -> msgid for every message of the YAML loader (docs test, translators)."""
    return _messages(_YAML_NAMES, True)


def format_messages() -> dict[str, str]:
    """Name -> msgid for the messages the other file formats add (CSV, XLSX, GIFT, ...)."""
    return _messages(_YAML_NAMES, False)


def every_message() -> dict[str, str]:
    """Both of the above."""
    return _messages(None, True)
