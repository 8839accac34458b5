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
``--redraft`` rewrites every Mongolian entry that is still machine-drafted from its draft
row (after a correction of the drafts, e.g. ``tools/mn_redraft.py``); reviewed entries are
never touched. ``--review-file`` writes docs/mongolian-review.md, the review list of every
Mongolian catalog entry.
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

LETTERS = {
    "a": 0x1820,
    "e": 0x1821,
    "i": 0x1822,
    "o": 0x1823,
    "u": 0x1824,
    "O": 0x1825,
    "U": 0x1826,
    "E": 0x1827,
    "n": 0x1828,
    "N": 0x1829,
    "b": 0x182A,
    "p": 0x182B,
    "q": 0x182C,
    "g": 0x182D,
    "m": 0x182E,
    "l": 0x182F,
    "s": 0x1830,
    "x": 0x1831,
    "t": 0x1832,
    "d": 0x1833,
    "c": 0x1834,
    "j": 0x1835,
    "y": 0x1836,
    "r": 0x1837,
    "w": 0x1838,
    "f": 0x1839,
    "K": 0x183A,
    "z": 0x183D,
    "h": 0x183E,
    "-": 0x180E,  # MVS
    "_": 0x202F,  # NNBSP
    "1": 0x180B,
    "2": 0x180C,
    "3": 0x180D,
    "4": 0x180F,  # FVS1-4
}
KEEP = set(" ?:!")
MONGOLIAN_COMMA = "\u1802"
MONGOLIAN_FULL_STOP = "\u1803"
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sd]")
DRAFT_COMMENT = "machine-drafted, awaiting review"


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _convert_plain(text: str) -> str:
    """Convert a run of transliteration outside {...}."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "," and text[i + 1 : i + 2] == " ":
            out.append(MONGOLIAN_COMMA + " ")
            i += 2
            continue
        if ch == ".":
            if text[i + 1 : i + 2] == " ":
                out.append(MONGOLIAN_FULL_STOP + " ")
                i += 2
                continue
            if i == len(text) - 1:
                out.append(MONGOLIAN_FULL_STOP)
                i += 1
                continue
            raise ValueError(f"stray '.' in {text!r}")
        if ch in LETTERS:
            out.append(chr(LETTERS[ch]))
        elif ch in KEEP:
            out.append(ch)
        else:
            raise ValueError(f"character {ch!r} not in the transliteration map: {text!r}")
        i += 1
    return "".join(out)


def translit_to_mongolian(src: str) -> str:
    parts: list[str] = []
    pos = 0
    for m in re.finditer(r"\{(\{|\}|[^{}]*)\}", src):
        parts.append(_convert_plain_at_end(src[pos : m.start()], final=False))
        parts.append(m.group(1))
        pos = m.end()
    parts.append(_convert_plain_at_end(src[pos:], final=True))
    result = "".join(parts)
    return unicodedata.normalize("NFC", result)


def _convert_plain_at_end(text: str, final: bool) -> str:
    # a "." at the end of a run that is not the end of the string (i.e. right
    # before a {...} group) is ambiguous; only allow the final one
    if not final and text.endswith("."):
        raise ValueError(f"'.' right before a {{...}} group: {text!r}")
    return _convert_plain(text)


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


def redraft(drafts: dict[str, tuple[str, str]]) -> int:
    """Rewrite the still machine-drafted Mongolian entries from their (corrected) drafts."""
    path = CATALOGS["mn"]
    catalog = read_po(io.BytesIO(path.read_bytes()))
    changed = 0
    for message in catalog:
        if not message.id or DRAFT_COMMENT not in message.user_comments:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        if msgid not in drafts:
            continue
        text = translit_to_mongolian(drafts[msgid][1])
        ids = message.id if isinstance(message.id, list | tuple) else (message.id,)
        if placeholders(text) != set().union(*(placeholders(i) for i in ids)):
            sys.exit(f"{path}: placeholders of {msgid!r} differ")
        current = message.string if isinstance(message.string, str) else message.string[0]
        if text != current:
            message.string = (text,) if isinstance(message.id, list | tuple) else text
            changed += 1
    out = io.BytesIO()
    write_po(out, catalog, width=76)
    path.write_bytes(out.getvalue())
    return changed


REVIEW_FILE = ROOT / "docs" / "mongolian-review.md"
REVIEW_HEAD = """# Mongolian catalog: review list

Generated by `tools/i18n_drafts.py --review-file` from the catalog
(`quiz/translations/mn_Mong_CN/LC_MESSAGES/messages.po`) and the drafts
(`quiz/translations/drafts/*.tsv`); do not edit by hand. Every Mongolian entry of the
interface is listed, with its status: **drafted** (machine-drafted, awaiting review) or
**reviewed**, and a note where the draft is only probable and a native reviewer should
look first. The review itself is done in the review sheet (docs/translations.md,
"Reviewing the Mongolian text"), not here.

%(counts)s

| msgid | Mongolian | transliteration | status |
|---|---|---|---|
"""


def review_file(drafts: dict[str, tuple[str, str]]) -> str:
    catalog = read_po(io.BytesIO(CATALOGS["mn"].read_bytes()))
    rows, drafted = [], 0
    for message in sorted((m for m in catalog if m.id), key=lambda m: str(m.id)):
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        text = message.string if isinstance(message.string, str) else message.string[0]
        status = "reviewed"
        if DRAFT_COMMENT in message.user_comments:
            status, drafted = "drafted", drafted + 1
        notes = [c for c in message.user_comments if c != DRAFT_COMMENT]
        if notes:
            status += ": " + "; ".join(notes)
        source = drafts.get(msgid, ("", ""))[1]

        def cell(value: str) -> str:
            return value.replace("|", "\\|").replace("\n", " ")

        shown = f"`{cell(source)}`" if source else ""
        rows.append(f"| `{cell(msgid)}` | {cell(text)} | {shown} | {status} |\n")
    total = len(rows)
    counts = f"{total} entries: {total - drafted} reviewed, {drafted} machine-drafted."
    return REVIEW_HEAD % {"counts": counts} + "".join(rows)


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
    parser.add_argument("--redraft", action="store_true", help="rewrite drafted mn entries")
    parser.add_argument("--review-file", action="store_true", help="write the review list")
    args = parser.parse_args()
    drafts = read_drafts()
    if args.redraft:
        print(f"mn: {redraft(drafts)} machine-drafted entries rewritten from the drafts")
        return
    if args.review_file:
        REVIEW_FILE.write_text(review_file(drafts), encoding="utf-8")
        print(f"wrote {REVIEW_FILE.relative_to(ROOT)}")
        return
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
