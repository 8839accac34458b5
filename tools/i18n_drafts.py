#!/usr/bin/env python3
"""Fill new catalog entries from the translation drafts in ``quiz/translations/drafts/``.

Why: Mongolian text is drafted in an ASCII transliteration (docs/translations.md), never
typed directly, and each feature keeps its own draft file so parallel work never
conflicts in the ``.po`` files: after ``make messages`` this tool fills every *empty*
``msgstr`` from the drafts and leaves translated (and reviewed) entries alone.

Draft files are UTF-8 TSV, one row per msgid, three columns:

    msgid <TAB> Simplified Chinese <TAB> Mongolian transliteration

Usage (from the repository root): ``make translations`` or
``.venv/bin/python tools/i18n_drafts.py [--check]``. It fails, naming the msgid,
when an empty entry has no draft row, a placeholder differs, or a row is malformed.
``--table`` prints the review table rows of docs/translations.md for every draft row.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import unicodedata
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from question_bank.transliteration import to_mongolian as translit_to_mongolian

PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sd]")
DRAFT_COMMENT = "machine-drafted, awaiting review"


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


ROOT = Path(__file__).resolve().parent.parent
DRAFTS = ROOT / "quiz" / "translations" / "drafts"
CATALOGS = {
    "zh": ROOT / "quiz/translations/zh_Hans_CN/LC_MESSAGES/messages.po",
    "mn": ROOT / "quiz/translations/mn_Mong_CN/LC_MESSAGES/messages.po",
}


def read_drafts(directory: Path = DRAFTS) -> dict[str, tuple[str, str]]:
    """msgid -> (zh, mn transliteration) from every ``*.tsv`` in ``directory``."""
    rows: dict[str, tuple[str, str]] = {}
    for path in sorted(directory.glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            for lineno, row in enumerate(reader, 1):
                if not row or not row[0].strip() or row[0].startswith("#"):
                    continue
                if len(row) != 3:
                    sys.exit(f"{path}:{lineno}: expected 3 columns, got {len(row)}")
                msgid, zh, mn = row
                if msgid in rows:
                    if rows[msgid] != (zh, mn):  # two features drafted it: the first wins
                        print(f"{path}:{lineno}: {msgid!r} drafted before, kept", file=sys.stderr)
                    continue
                rows[msgid] = (zh, mn)
    return rows


def fill(language: str, drafts: dict[str, tuple[str, str]], check: bool) -> int:
    """Fill empty entries of one catalog; the number filled (or missing, with --check)."""
    path = CATALOGS[language]
    catalog = read_po(io.BytesIO(path.read_bytes()))
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        current = message.string if isinstance(message.string, str) else message.string[0]
        if current and "fuzzy" not in message.flags:
            continue
        if msgid not in drafts:
            sys.exit(f"{path}: no draft row for {msgid!r} (add it to quiz/translations/drafts/)")
        zh, mn = drafts[msgid]
        try:
            text = zh if language == "zh" else translit_to_mongolian(mn)
        except ValueError as error:
            sys.exit(f"draft of {msgid!r}: {error}")
        text = unicodedata.normalize("NFC", text)
        ids = message.id if isinstance(message.id, list | tuple) else (message.id,)
        want = set().union(*(placeholders(i) for i in ids))
        if placeholders(text) != want:
            sys.exit(f"{path}: placeholders of {msgid!r} differ: {placeholders(text)} != {want}")
        message.string = (text,) if isinstance(message.id, list | tuple) else text
        message.flags.discard("fuzzy")
        if language == "mn" and DRAFT_COMMENT not in message.user_comments:
            message.user_comments.append(DRAFT_COMMENT)
        filled += 1
    if filled and not check:
        out = io.BytesIO()
        write_po(out, catalog, width=76)
        path.write_bytes(out.getvalue())
    return filled


def review_table(drafts: dict[str, tuple[str, str]]) -> str:
    return "".join(
        f"| `{msgid}` | {translit_to_mongolian(mn)} | `{mn}` |\n"
        for msgid, (_zh, mn) in sorted(drafts.items())
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if an entry is empty")
    parser.add_argument("--table", action="store_true", help="print review-table rows")
    args = parser.parse_args()
    drafts = read_drafts()
    if args.table:
        sys.stdout.write(review_table(drafts))
        return
    for language in CATALOGS:
        count = fill(language, drafts, args.check)
        if args.check and count:
            sys.exit(f"{language}: {count} entries untranslated")
        print(f"{language}: {count} entries filled from drafts")


if __name__ == "__main__":
    main()
