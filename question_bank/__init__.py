"""Question banks for the quiz platform: model, file formats, validation and drawing.

A plain library (stdlib, PyYAML, openpyxl, defusedxml): no Flask, no SQLAlchemy, nothing
from ``quiz``, so organizers' tools, tests and importers can use it without an app.
Every file format is in ``question_bank.formats`` (YAML, the platform's own, in
``question_bank.formats.yaml``; ``read_bank``/``write_bank`` and the YAML calls are
re-exported here), and all of them go through one checker (``formats.drafts``).
"""

from question_bank.drawing import (
    Candidate,
    DrawError,
    DrawPart,
    DrawPool,
    DrawRule,
    option_order,
    presented_options,
)
from question_bank.errors import N_, BankError, Problem
from question_bank.formats import (
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    ImportResult,
    ReadOptions,
    detect_format,
    read_bank,
    write_bank,
    xlsx_template,
)
from question_bank.formats.yaml import dump_bank, load_bank, parse_bank
from question_bank.model import (
    LANGUAGES,
    OPTION_KEYS,
    TRUE_FALSE_KEYS,
    TRUE_FALSE_LABELS,
    Bank,
    Category,
    Kind,
    Media,
    Question,
    Version,
    shown_answer,
)
from question_bank.scoring import fill_credit, fill_key, fill_results
from question_bank.text import fold_key, human_size, mongolian_words, normalize, sort_key

__all__ = [
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "LANGUAGES",
    "N_",
    "OPTION_KEYS",
    "TRUE_FALSE_KEYS",
    "TRUE_FALSE_LABELS",
    "Bank",
    "BankError",
    "Candidate",
    "Category",
    "DrawError",
    "DrawPart",
    "DrawPool",
    "DrawRule",
    "ImportResult",
    "Kind",
    "Media",
    "Problem",
    "Question",
    "ReadOptions",
    "Version",
    "detect_format",
    "dump_bank",
    "fill_credit",
    "fill_key",
    "fill_results",
    "fold_key",
    "human_size",
    "load_bank",
    "mongolian_words",
    "normalize",
    "option_order",
    "parse_bank",
    "presented_options",
    "read_bank",
    "shown_answer",
    "sort_key",
    "write_bank",
    "xlsx_template",
]
