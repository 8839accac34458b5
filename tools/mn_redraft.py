#!/usr/bin/env python3
"""Correct the mechanical defects of the Mongolian drafts at their source (issue 19).

Why: the later catalog entries were drafted from ``quiz/translations/drafts/*.tsv`` in the
ASCII transliteration of docs/translations.md, with defects a rule can fix for certain:
ᠩ typed as ᠨ+ᠭ, a space (not NNBSP) before a case suffix, NNBSP where the MVS belongs,
suffix vowels against the stem's harmony or in the wrong form for the stem's last letter,
ᠤᠭᠡᠢ for ᠦᠭᠡᠢ, and Cyrillic-orthography spellings (a fixed word list, below). The tool
rewrites the third column of every draft file, so ``make translations`` cannot bring a
defect back; ``tools/i18n_drafts.py --redraft`` then rewrites the catalog entries that
are still machine-drafted. Suffixes right after a placeholder cannot be fixed by a rule
(the placeholder's last vowel is unknown): they are listed, and those rows are reworded
by hand.

Usage: ``.venv/bin/python tools/mn_redraft.py [--check]`` (``--check`` only lists).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DRAFTS = ROOT / "quiz" / "translations" / "drafts"

# Whole words (transliteration) spelt as in Mongolia's Cyrillic orthography, romanised, or
# with ᠨ+ᠭ for ᠩ, and their Inner Mongolian written forms. "change" is always ᠥᠭᠡᠷᠡᠴᠢᠯᠡ-.
WORDS = {
    "angi": "aNgi",
    "sang": "saN",
    "dangsa": "daNsa",
    "monggol": "moNgol",
    "mongol": "moNgol",
    "songgon": "soNgon",
    "songgo": "soNgo",
    "songgoltu": "soNgoltu",
    "angqan": "aNqan",
    "angqa": "aNqa",
    "anggilal": "aNgilal",
    "angilal": "aNgilal",
    "dUng": "d1UN",
    "begejing": "begejiN",
    "Onggeregsen": "ONgeregsen",
    "too": "tog-a",
    "neegegdegsen": "negegdegsen",
    "neegeqU": "negeqU",
    "qaaqu": "qagaqu",
    "qaagdasan": "qagagdagsan",
    "qaagdagsan": "qagagdagsan",
    "qaagdaba": "qagagdaba",
    "qaa": "qagan-a uu",
    "OOrin": "Ober_Un",
    "qamgiin": "qamug_un",
    "onoo": "onug-a",
    "medeelel": "medegelel",
    "dOOr-a": "door-a",
    "bayigaa": "bayig-a",
    "tushaa": "tusiyan-a uu",
    "tooqaqu": "togacaqu",
    "tooqaba": "togacaba",
    "sigiidqU": "siidqU",
    "noorug": "noyirog",
    "ilgeen-e": "ilegen-e",
    "oruulqu": "orugulqu",
    "oruul": "orugul",
    "oruululta": "orugululta",
    "oruulugsan": "orugulugsan",
    "niguur": "nigur",
    "buruu": "burugu",
    "buruudagsan": "burugudagsan",
    "bayiguulagdaba": "bayigulagdaba",
    "suulgaju": "sagulgaju",
    "sUUliyin": "segUl_Un",
    "nuuts": "niguca",
    "duusugsan": "dagusugsan",
    "duusgana": "dagusgan-a",
    "ganchu": "gagca",
    "tiyim": "teyimU",
    "ustgaqu": "usadqaqu",
    "ustgagdaba": "usadqagdaba",
    "ustgagdan-a": "usadqagdan-a",
    "ugei": "Ugei",
    "oorciljU": "OgerecilejU",
    "OOrciljU": "OgerecilejU",
    "OOrcileqU": "OgerecileqU",
    "OOrcilen-e": "Ogerecilen-e",
    "oorcilelte": "Ogerecilelte",
    "oorcilegdegsen": "Ogerecilegdegsen",
    "OOrcilejei": "Ogerecilejei",
    "OOrcilegdejei": "Ogerecilegdejei",
    "OOrcilebel": "Ogerecilebel",
    "OOrcilebe": "Ogerecilebe",
    "OOrcilegsen": "Ogerecilegsen",
    "ObercilegdeqU": "OgerecilegdeqU",
    "ObercilejU": "OgerecilejU",
    "ijaguulqu": "bayigulqu",
    "jagsagalt": "jigsagalta",
    "jagsagalta": "jigsagalta",
    "surguguli": "surgaguli",
    "ganca": "gagca",
    "bayiga": "bayin-a",
    "Ujegdene": "Ujegden-e",
    "UjegUlne": "UjegUlUn-e",
    "burtgegdene": "bUrtgegden-e",
    "burtgegdebe": "bUrtgegdebe",
    "burtgegdeqsen": "bUrtgegdegsen",
    "ulduna": "Ulden-e",
    "qereglene": "qeregleji bayin-a",
    "oroltsagci": "orolcagci",
    "temdegt": "UsUg temdeg",
    "Useg": "UsUg",
    "programm": "porogram",
    "niyt": "niyite",
    "unsiju": "ungsiju",
    "emune": "emUne",
    "nere_yin": "ner-e_yin",
    "songgon-a": "soNgon-a",
}

STEMS = """orugul qeregle soNgo Uje qeble bici nem nerele oroldu tabi temdegle xalga sugul
qadagala ilege dar oru qaga nege sinecile Ogerecile usadqa"""
# Bare imperatives at the end of a sentence, and the polite form of the first batch.
IMPERATIVES = {
    stem: polite
    for stem, polite in (
        (s, s + ("n-a uu" if any(c in "aou" for c in s) else "n-e UU")) for s in STEMS.split()
    )
}
IMPERATIVES.update(
    {
        "orugul": "orugulun-a uu",
        "sugul": "sugulun-a uu",
        "nem": "nemen-e UU",
        "dar": "daran-a uu",
        "Uje": "Ujen-e UU",
    }
)

# Case suffixes by function: (back form, front form) for each shape of stem end.
SUFFIXES = {
    "gen": {"vowel": ("yin", "yin"), "n": ("u", "U"), "other": ("un", "Un")},
    "acc": {"vowel": ("yi", "yi"), "n": ("i", "i"), "other": ("i", "i")},
    "dat": {"vowel": ("du", "dU"), "n": ("du", "dU"), "other": ("du", "dU")},
    "datr": {"vowel": ("dur", "dUr"), "n": ("dur", "dUr"), "other": ("dur", "dUr")},
    "abl": {"vowel": ("aca", "ece"), "n": ("aca", "ece"), "other": ("aca", "ece")},
    "ins": {"vowel": ("bar", "ber"), "n": ("iyar", "iyer"), "other": ("iyar", "iyer")},
    "com": {"vowel": ("tai", "tei"), "n": ("tai", "tei"), "other": ("tai", "tei")},
    "refl": {"vowel": ("ban", "ben"), "n": ("iyan", "iyen"), "other": ("iyan", "iyen")},
    "loc": {"vowel": ("daqi", "deqi"), "n": ("daqi", "deqi"), "other": ("daqi", "deqi")},
}
FUNCTION = {
    form: function
    for function, shapes in SUFFIXES.items()
    for pair in shapes.values()
    for form in pair
}
FUNCTION.update(
    {
        "tu": "dat",
        "tU": "dat",
        "tur": "datr",
        "tUr": "datr",
        "ece": "abl",
        "taqi": "loc",
        "teqi": "loc",
        # Khalkha case endings written after an NNBSP
        "aar": "ins",
        "eer": "ins",
        "oor": "ins",
        "OOr": "ins",
        "iin": "gen",
        "iig": "acc",
        "aas": "abl",
        "ees": "abl",
        "oos": "abl",
        "OOs": "abl",
    }
)
T_AFTER = set("bgrsd")  # dative-locative ᠲᠤ/ᠲᠦ after these letters
BACK, FRONT = set("aou"), set("eOUE")
SUFFIX_RE = "|".join(sorted(FUNCTION, key=len, reverse=True))
WORD = r"[A-Za-z0-9-]+"


def harmony(stem: str) -> str:
    letters = [c for c in stem if c in BACK or c in FRONT]
    return "back" if letters and letters[-1] in BACK else "front"


def suffix_for(stem: str, suffix: str) -> str:
    function = FUNCTION[suffix]
    end = stem.rstrip("1234")[-1]
    shape = "vowel" if end in "aeiouOUE" else "n" if end == "n" else "other"
    back, front = SUFFIXES[function][shape]
    chosen = back if harmony(stem) == "back" else front
    if function in ("dat", "datr", "loc") and end in T_AFTER:
        chosen = "t" + chosen[1:]
    return chosen


def fix_words(text: str) -> str:
    def word(match: re.Match[str]) -> str:
        return WORDS.get(match.group(0), match.group(0))

    return re.sub(r"(?<![A-Za-z0-9_{-])[A-Za-z0-9-]+(?![A-Za-z0-9}-])", word, text)


def fix_imperatives(text: str) -> str:
    def polite(match: re.Match[str]) -> str:
        return IMPERATIVES[match.group(1)] + match.group(2)

    pattern = rf"(?<![A-Za-z0-9_-])({'|'.join(IMPERATIVES)})([.!]?$|[.;] )"
    return re.sub(pattern, polite, text)


def fix_suffixes(text: str) -> str:
    # NNBSP where the MVS belongs: bag_a -> bag-a
    text = re.sub(r"(?<=[A-Za-z])_([ae])(?![A-Za-z])", r"-\1", text)
    # the concessive particle ᠪᠡᠷ "even" (yagu ber ... Ugei) is a word, not a suffix
    text = text.replace("yagu ber ", "yagu\0ber ")

    def attach(match: re.Match[str]) -> str:
        stem, suffix = match.group(1), match.group(2)
        return f"{stem}_{suffix_for(stem, suffix)}"

    pattern = rf"(?<![{{A-Za-z0-9_-]])({WORD})[ _]({SUFFIX_RE})(?![A-Za-z])"
    return re.sub(pattern, attach, text).replace("yagu\0ber ", "yagu ber ")


def fix(text: str) -> str:
    """Fix one transliteration, leaving ``{...}`` groups alone."""
    parts = re.split(r"(\{(?:\{|\}|[^{}]*)\})", text)
    out = [
        part if part.startswith("{") else fix_imperatives(fix_suffixes(fix_words(part)))
        for part in parts
    ]
    return "".join(out)


def after_placeholder(text: str) -> bool:
    """A case suffix right after a ``{...}`` group (reword by hand)."""
    return re.search(rf"\}}[ _]({SUFFIX_RE})(?![A-Za-z])", text) is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="list, do not write")
    args = parser.parse_args()
    changed = 0
    for path in sorted(DRAFTS.glob("*.tsv")):
        lines = path.read_text(encoding="utf-8").split("\n")
        for index, line in enumerate(lines):
            cells = line.split("\t")
            if len(cells) != 3 or line.startswith("#"):
                continue
            fixed = fix(cells[2])
            if after_placeholder(fixed):
                print(f"{path.name}:{index + 1}: suffix after a placeholder: {cells[0]!r}")
            if fixed != cells[2]:
                changed += 1
                lines[index] = "\t".join([cells[0], cells[1], fixed])
        if not args.check:
            path.write_text("\n".join(lines), encoding="utf-8")
    print(f"{changed} rows corrected", file=sys.stderr)


if __name__ == "__main__":
    main()
