"""Files to fill in, offered for download: XLSX, CSV, Word (.docx) and plain text.

Each holds one example of each kind (single, multiple, true/false, fill-in) to replace,
and reads back as those examples (a test checks it). Headers and words in Chinese,
Mongolian or English for the spreadsheets; the numbered layout for Word and text.
"""

from __future__ import annotations

from question_bank.formats.numbered import docx_template, text_template
from question_bank.formats.spreadsheet import csv_table
from question_bank.formats.tabular import header_text
from question_bank.formats.xlsx import xlsx_template

TEMPLATE_FORMATS = ("xlsx", "csv", "docx", "text")
SUFFIXES = {"xlsx": ".xlsx", "csv": ".csv", "docx": ".docx", "text": ".txt"}

_CSV_ROWS = [
    [
        "单选",
        "接种疫苗的主要作用是什么？",
        "治疗感染",
        "产生免疫力",
        "补充营养",
        "",
        "B",
        "疫苗刺激免疫系统产生记忆。",
        "易",
        "生命与健康",
        "2",
        "",
    ],
    [
        "多选",
        "下列哪些属于人体必需的营养素？",
        "蛋白质",
        "塑料",
        "维生素",
        "",
        "A,C",
        "",
        "中",
        "生命与健康",
        "2",
        "",
    ],
    [
        "判断",
        "地球绕太阳公转一周约需一年。",
        "",
        "",
        "",
        "",
        "正确",
        "",
        "易",
        "地球与宇宙",
        "1",
        "",
    ],
    ["填空", "水的化学式是____。", "", "", "", "", "H2O/H₂O", "", "易", "物质科学", "1", ""],
]
_CSV_FIELDS = [
    ("kind", ""),
    ("text", ""),
    ("option", "A"),
    ("option", "B"),
    ("option", "C"),
    ("option", "D"),
    ("answer", ""),
    ("explanation", ""),
    ("difficulty", ""),
    ("category", ""),
    ("points", ""),
    ("picture", ""),
]


def csv_template(language: str = "zh") -> bytes:
    """A CSV (UTF-8 with a BOM, so Excel opens it right) with the four example rows."""
    header = [header_text(field, language, None, key) for field, key in _CSV_FIELDS]
    return csv_table(header, _CSV_ROWS)


def template(fmt: str, language: str = "zh") -> bytes:
    """The template of ``fmt`` (``xlsx``, ``csv``, ``docx``, ``text``)."""
    if fmt == "xlsx":
        return xlsx_template(language)
    if fmt == "csv":
        return csv_template(language)
    if fmt == "docx":
        return docx_template(language)
    if fmt == "text":
        return text_template(language)
    raise ValueError(f"no template for {fmt}: use one of {', '.join(TEMPLATE_FORMATS)}")
