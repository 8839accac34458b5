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
    "tiyim": "teimU",
    "teyimU": "teimU",
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
    "UbUr": "ObUr",  # Inner (Mongolia): ᠥᠪᠦᠷ, not ᠦᠪᠦᠷ (same glyphs)
    "Obur": "ObUr",
    "cidabUri": "cidaburi",
    "sine": "sin-e",
    "xine": "sin-e",
    # the bundled bank: one form per term (coal, energy, plant, protect, gas)
    "nigUrsU": "negUresU",
    "energi": "enErgi",
    "urgamal": "urgumal",
    "qamgalan-a": "qamagalan-a",
    "qamgalagdan-a": "qamagalagdan-a",
    "qei": "qiy-a",
    # findings of question_bank.mongolian_check (separated final vowels, harmony, spelling)
    "baga": "bag-a",
    "toga": "tog-a",
    "daraga": "darag-a",
    "dotora": "dotor-a",
    "sanaga": "sanag-a",
    "nere": "ner-e",
    "uuqu": "uguqu",
    "uubal": "ugubal",
    "uuju": "uguju",
    "uugu": "ugugu",
    "uugulju": "ugugulju",
    "uugulbal": "ugugulbal",
    "udaan": "udagan",
    "jegUU": "jegU",
    "geegebel": "gegegebel",
    "geegegsen": "gegegegsen",
    "Ujegulbel": "UjegUlbel",
    "qereglequ": "qeregleqU",
    "urgulijileqU": "UrgUljileqU",
    "ober": "Ober",
    "nuqe": "nUqe",
    "burtgequ": "bUrtgeqU",
    "eca": "ece",
    "Ogun-e": "OgUn-e",
    "Ogugsen": "OgUgsen",
    "Usug": "UsUg",
    "ogdgsen": "Ogdegsen",
    "sulcijilge": "sUljiy-e",
    "qesug": "bUlUg",
    "Ulegeburi": "UlegebUri",
    "Ujegulun-e": "UjegUlUn-e",
    "solijU": "soliju",
    "cogen": "cOgen",
    "jirumsen": "jirUmsen",
    "tulgujU": "tulguju",
    "tan-u": "tan_u",
    # the glossary's forms (docs/mongolian-glossary.md)
    "jUbqen": "jObqen",
    "oroldulga": "qarigulg-a",
    "oroldulg-a": "qarigulg-a",
    "gerecilgen": "gerecilge",
    "qUndUrel": "qUndU qilbar",
    "qidad": "qitad",
    "orolcaqu Kod": "oroqu Kod",
    "emUne": "emUn-e",
    "nemegdenei": "nemegden-e",
    "qereglegdenei": "qereglegden-e",
    "eqilenei": "eqilen-e",
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

# Words the redraft chose where the right form is only probable: the catalog entries that
# use them carry the translator comment "native review: ..." (tools/i18n_drafts.py
# --redraft), which the review list and the review sheet show.
PROBABLE = {
    "noyirog": "ᠨᠣᠶᠢᠷᠣᠭ for 'draft' (Cyrillic ноорог)",
    "bayigulqu": "ᠪᠠᠶᠢᠭᠤᠯᠬᠤ for 'form (leagues)'",
    "togacaqu": "ᠲᠣᠭᠠᠴᠠᠬᠤ for 'count'",
    "togacaba": "ᠲᠣᠭᠠᠴᠠᠪᠠ for 'counted'",
    "tusiyan-a": "ᠲᠤᠰᠢᠶᠠᠨ᠎ᠠ for 'hand over'",
    "tagan": "ᠳᠣᠷ ᠲᠠᠭᠠᠨ for 'at least'",
    "jagur_un": "ᠲᠦᠷ ᠵᠠᠭᠤᠷ ᠤᠨ for 'provisional'",
    "Ulden-e": "ᠦᠯᠳᠡᠨ᠎ᠡ for 'stay'",
    "sUljiy-e": "ᠰᠦᠯᠵᠢᠶ᠎ᠡ for 'website' (was a Cyrillic-based word)",
    "bUlUg": "ᠪᠦᠯᠦᠭ for 'section'",
    "siidqU": "ᠰᠢᠢᠳᠬᠦ for 'decide' (the checker asks for a look)",
    "teg_ece": "ᠲᠡᠭ ᠡᠴᠡ for 'above 0'",
    "niyite": "ᠨᠡᠶᠢᠲᠡ for 'of (total)'",
}

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
    "rdat": {"vowel": ("dagan", "degen"), "n": ("dagan", "degen"), "other": ("dagan", "degen")},
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
        "tagan": "rdat",
        "tegen": "rdat",
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
WORD_LIKE = {"bar", "ber", "tur", "tUr"}
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
    if function in ("dat", "datr", "loc", "rdat") and end in T_AFTER:
        chosen = "t" + chosen[1:]
    return chosen


# Verb stems replaced in every form: (old start of a word, the glossary's)
STEM_FORMS = (
    (r"niyitele", "neyitele"),
    (r"Obercile", "Ogerecile"),
    (r"Obercili", "Ogerecili"),
    (r"nege(?=gd|q|b|j|n-|l)", "negege"),
)


def fix_words(text: str) -> str:
    def word(match: re.Match[str]) -> str:
        return WORDS.get(match.group(0), match.group(0))

    for old, new in STEM_FORMS:
        text = re.sub(rf"(?<![A-Za-z0-9_{{-]){old}", new, text)
    text = text.replace("orolcaqu Kod", "oroqu Kod")

    # ᠩ typed as ᠨ+ᠭ at a syllable end: before a consonant, ᠭ or the word's end
    text = text.replace("ngg", "Ng")
    text = re.sub(r"ng(?![aeiouOUEg])", "N", text)
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
        if match.group(0)[len(stem)] == " " and suffix in WORD_LIKE:
            return f"{stem}\x00{suffix}"  # left as a word (see below)
        return f"{stem}_{suffix_for(stem, suffix)}"

    pattern = rf"(?<![{{A-Za-z0-9_-]])({WORD})[ _]({SUFFIX_RE})(?![A-Za-z])"
    text = re.sub(pattern, attach, text)
    # after a space, ᠪᠠᠷ/ᠪᠡᠷ is mostly the particle "even, also" and ᠲᠦᠷ "for a while":
    # words, not suffixes; only their NNBSP-attached forms are suffixes (fixed above)
    return re.sub(r"(?<=[A-Za-z0-9-])\x00", " ", text).replace("yagu\0ber ", "yagu ber ")


def fix_particle(text: str) -> str:
    """The polite ᠤᠤ/ᠦᠦ after -ᠨ᠎ᠠ/-ᠨ᠎ᠡ agrees with the verb: -n-a uu, -n-e UU."""
    text = re.sub(r"(?<=n-a) UU(?![A-Za-z])", " uu", text)
    return re.sub(r"(?<=n-e) uu(?![A-Za-z])", " UU", text)


def fix(text: str) -> str:
    """Fix one transliteration, leaving ``{...}`` groups alone."""
    parts = re.split(r"(\{(?:\{|\}|[^{}]*)\})", text)
    out = [
        part
        if part.startswith("{")
        else fix_particle(fix_imperatives(fix_suffixes(fix_words(part))))
        for part in parts
    ]
    return "".join(out)


def after_placeholder(text: str) -> bool:
    """A case suffix right after a ``{...}`` group (reword by hand)."""
    return re.search(rf"\}}[ _]({SUFFIX_RE})(?![A-Za-z])", text) is not None


# -- Unicode text (the bundled bank, fixed Mongolian in the code) -------------------------

BANK = ROOT / "question_bank" / "banks" / "science-literacy.yaml"
DEMO = ROOT / "quiz" / "demo" / "services.py"
_MAP = {
    "a": 0x1820, "e": 0x1821, "i": 0x1822, "o": 0x1823, "u": 0x1824, "O": 0x1825,
    "U": 0x1826, "E": 0x1827, "n": 0x1828, "N": 0x1829, "b": 0x182A, "p": 0x182B,
    "q": 0x182C, "g": 0x182D, "m": 0x182E, "l": 0x182F, "s": 0x1830, "x": 0x1831,
    "t": 0x1832, "d": 0x1833, "c": 0x1834, "j": 0x1835, "y": 0x1836, "r": 0x1837,
    "w": 0x1838, "f": 0x1839, "K": 0x183A, "z": 0x183D, "h": 0x183E, "-": 0x180E,
    "_": 0x202F, "1": 0x180B, "2": 0x180C, "3": 0x180D, "4": 0x180F,
}  # fmt: skip
_REVERSE = {chr(code): letter for letter, code in _MAP.items()}


def to_translit(text: str) -> str:
    """Unicode Mongolian -> the transliteration (anything else kept inside ``{...}``)."""
    out: list[str] = []
    other: list[str] = []

    def flush() -> None:
        if other:
            raw = "".join(other).replace("{", "\x00").replace("}", "\x01")
            out.append("{" + raw.replace("\x00", "}{{}{").replace("\x01", "}{}}{") + "}")
            other.clear()

    for index, ch in enumerate(text):
        after = text[index + 1 : index + 2]
        if ch in _REVERSE:
            flush()
            out.append(_REVERSE[ch])
        elif ch == "\u1802" and after == " ":
            flush()
            out.append(",")
        elif ch == " " and out and out[-1] == "," and not other:
            out.append(" ")
        elif ch == "\u1803" and after in ("", " "):
            flush()
            out.append(".")
        elif ch in " ?:!" and not other:
            out.append(ch)
        else:
            other.append(ch)
    flush()
    return "".join(out).replace("{}", "")


def fix_unicode(text: str) -> str:
    """The same corrections on Unicode text; unchanged when the round trip is not exact."""
    sys.path.insert(0, str(ROOT / "tools"))
    from i18n_drafts import translit_to_mongolian

    source = to_translit(text)
    try:
        if translit_to_mongolian(source) != text:
            return text
        return translit_to_mongolian(fix(source))
    except ValueError:
        return text


def fix_file(path: Path, check: bool) -> int:
    """Fix every Mongolian run of a YAML or Python file, line by line (values only)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    changed = 0
    for index, line in enumerate(lines):
        if not re.search("[\u1820-\u1878]", line):
            continue
        head, sep, value = line.partition(": ") if path.suffix == ".yaml" else ("", "", line)
        if path.suffix == ".yaml" and (not sep or value[:1] in "'\"|>"):
            continue
        if path.suffix == ".py":
            match = re.match(r'^(.*?")([^"]*[\u1820-\u1878][^"]*)(".*)$', line)
            if not match:
                continue
            head, value, tail = match.groups()
            new = head + fix_unicode(value) + tail
        else:
            new = head + sep + fix_unicode(value)
        if new != line:
            changed += 1
            lines[index] = new
    if not check:
        path.write_text("\n".join(lines), encoding="utf-8")
    return changed


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
    for path in (BANK, DEMO):
        count = fix_file(path, args.check)
        print(f"{path.relative_to(ROOT)}: {count} lines corrected", file=sys.stderr)


if __name__ == "__main__":
    main()
