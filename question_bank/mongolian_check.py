"""A proofing aid for traditional Mongolian text (Inner Mongolian written standard).

``check(text)`` returns ``Finding``s: each with a stable ``code``, an English ``message``
(kept as msgid + params, so the app can translate it), the ``span`` it concerns, a
``suggestion`` when one is mechanical, and ``certain``: True for mechanical defects
(wrong code points, a plain space where U+202F belongs, a suffix whose vowel cannot agree
with its word), False for what only a native reviewer can decide (a word mixing back and
front vowels may be a name transcribed from Chinese).

Codes (stable; tests, the CLI and the console warnings use them):

``ng-split``                 ᠩ typed as ᠨ+ᠭ
``nnbsp-missing``            a plain space before a case suffix (U+202F belongs there)
``mvs-missing``              a separated final a/e without MVS (U+180E), or NNBSP in its place
``mvs-stray``                an MVS that is not before a word-final a/e
``cyrillic-double-vowel``    a doubled vowel (Mongolia's Cyrillic spelling of a long vowel)
``ugei``                     ᠤᠭᠡᠢ for ᠦᠭᠡᠢ
``misspelling``              a known wrong spelling (Khalkha forms, look-alike code points)
``romanisation``             a Latin digraph spelt with ᠾ, or Latin/Cyrillic letters in a word
``suffix-harmony``           a case suffix (or ᠤᠤ/ᠦᠦ, a final a/e) against the word's vowels
``suffix-form``              the wrong form of a case suffix for the word's last letter
``mixed-harmony``            a word mixing back (a o u) and front (e ö ü) vowels
``suffix-after-placeholder`` a case suffix right after a placeholder, whose vowel is unknown

Words are matched on code points: the look-alike letters (ᠣ/ᠤ, ᠥ/ᠦ) are different words
for search and sorting. Word lists are written in the project's transliteration
(``question_bank.transliteration``) so each letter can be read in Latin.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from question_bank.errors import N_
from question_bank.transliteration import to_mongolian

NNBSP = "\u202f"
MVS = "\u180e"
_SHAPING = "\u180b\u180c\u180d\u180f\u200c\u200d"  # FVS1-4, ZWNJ, ZWJ

BACK = frozenset("\u1820\u1823\u1824")  # a o u
FRONT = frozenset("\u1821\u1825\u1826\u1827")  # e ö ü ē
VOWELS = BACK | FRONT | {"\u1822"}  # + i (neutral)
# Letters only loanwords use: a word with one follows the source language, not harmony.
FOREIGN = frozenset(
    "\u1827\u182b\u1838\u1839\u183a\u183b\u183c\u183d\u183e\u183f\u1840\u1841\u1842"
)
# Dative and the other d/t suffixes take t after these final letters, d after vowels and
# n m l ng; after other (loanword) finals the form is left to the reviewer.
_HARD = frozenset("\u182a\u182d\u1837\u1830\u1833")  # b g r s d
_SOFT = frozenset("\u1828\u182e\u182f\u1829")  # n m l ng
_N = "\u1828"
_G = "\u182d"
_ANG = "\u1829"
_HAA = "\u183e"
_CONSONANTS_BEFORE_H = frozenset(
    "\u1834\u1830\u183d\u1835\u183a\u1832\u182b\u182d\u182c\u1833\u182a"
)

MESSAGES = {
    "ng-split": N_("%(word)s: ng is one letter (U+1829), not n followed by g"),
    "nnbsp-missing": N_(
        "%(word)s: a case suffix follows its word after a narrow no-break space (U+202F), "
        "not a plain space"
    ),
    "mvs-missing": N_(
        "%(word)s: a separated final a or e needs the vowel separator (U+180E) before it"
    ),
    "mvs-stray": N_("%(word)s: the vowel separator (U+180E) belongs only before a final a or e"),
    "cyrillic-double-vowel": N_(
        "%(word)s: a doubled vowel is the Cyrillic spelling of Mongolia; "
        "written Mongolian spells long vowels otherwise"
    ),
    "ugei": N_("%(word)s: the negative word is written with ü (U+1826), not u (U+1824)"),
    "misspelling": N_("%(word)s: not the written Mongolian spelling"),
    "romanisation": N_("%(word)s: Latin spelling inside Mongolian script"),
    "suffix-harmony": N_(
        "%(word)s: the suffix's vowel does not agree with the word's vowels "
        "(back a o u, front e ö ü)"
    ),
    "suffix-form": N_("%(word)s: this form of the suffix does not fit the word's last letter"),
    "mixed-harmony": N_(
        "%(word)s: mixes back and front vowels; check the spelling "
        "(a name transcribed from Chinese may be right)"
    ),
    "suffix-after-placeholder": N_(
        "%(word)s: a suffix right after a placeholder cannot agree with a value "
        "not known in advance: reword"
    ),
}
CODES = tuple(MESSAGES)


def _identity(message: str) -> str:
    return message


@dataclass(frozen=True)
class Finding:
    """One probable or certain defect in a Mongolian text."""

    code: str
    span: tuple[int, int]  # in the checked text
    text: str  # the text the span covers
    suggestion: str | None = None  # replacement for the span, when mechanical
    certain: bool = True
    context: str = ""  # what the caller said the text was (a msgid, a file:line)
    word: str = ""  # the word(s) around the span, as a reader would quote them
    word_start: int = 0  # where ``word`` starts in the checked text

    @property
    def msgid(self) -> str:
        return MESSAGES[self.code]

    @property
    def message(self) -> str:
        """The message in English."""
        return self.localized()

    @property
    def corrected(self) -> str | None:
        """``word`` with the suggestion applied (None without a suggestion)."""
        if self.suggestion is None:
            return None
        start = self.span[0] - self.word_start
        end = self.span[1] - self.word_start
        return self.word[:start] + self.suggestion + self.word[end:]

    def localized(self, translate: Callable[[str], str] = _identity) -> str:
        """The message translated by ``translate`` (a gettext), then filled in."""
        return translate(self.msgid) % {"word": self.word or self.text}


_IN_WORD = re.compile("[\u1820-\u1878\u1880-\u18aa\u180b-\u180f\u200c\u200d\u202f]")


def _word_around(text: str, start: int, end: int) -> tuple[str, int]:
    """The Mongolian word (with its suffixes) that holds ``text[start:end]``; a space or
    NNBSP between a word and a suffix takes both."""
    while start > 0 and _IN_WORD.match(text[start - 1]):
        start -= 1
    while end < len(text) and _IN_WORD.match(text[end]):
        end += 1
    return text[start:end].strip(), start + (len(text[start:end]) - len(text[start:end].lstrip()))


def _mn(*words: str) -> frozenset[str]:
    return frozenset(to_mongolian(word) for word in words)


# Case suffixes by family: for each form, its (back, front) spellings (the same twice when
# the form does not follow harmony). Forms: V after a vowel, N after n, C after another
# consonant, D after a vowel or n m l ng, T after b g r s d, * after any letter.
_FAMILIES: dict[str, dict[str, tuple[str, str]]] = {
    "genitive": {"V": ("yin", "yin"), "N": ("u", "U"), "C": ("un", "Un")},
    "accusative": {"V": ("yi", "yi"), "N": ("i", "i"), "C": ("i", "i")},
    "dative": {"D": ("du", "dU"), "T": ("tu", "tU")},
    "dative-dur": {"D": ("dur", "dUr"), "T": ("tur", "tUr")},
    "ablative": {"*": ("aca", "ece")},
    "instrumental": {"V": ("bar", "ber"), "N": ("iyar", "iyer"), "C": ("iyar", "iyer")},
    "comitative": {"*": ("tai", "tei")},
    "reflexive": {"V": ("ban", "ben"), "N": ("iyan", "iyen"), "C": ("iyan", "iyen")},
    "locative-attributive": {"D": ("daqi", "deqi"), "T": ("taqi", "teqi")},
    "dative-reflexive": {"D": ("dagan", "degen"), "T": ("tagan", "tegen")},
    "ablative-reflexive": {"*": ("acagan", "ecegen")},
    "accusative-reflexive": {"V": ("yigen", "yigen"), "N": ("igen", "igen"), "C": ("igen", "igen")},
    "comitative-reflexive": {"*": ("taigan", "teigen")},
}
# suffix text -> (family, form, harmony index 0 back / 1 front / None neutral)
SUFFIXES: dict[str, list[tuple[str, str, int | None]]] = {}
for _family, _forms in _FAMILIES.items():
    for _form, (_back, _front) in _forms.items():
        for _index, _latin in enumerate((_back, _front)):
            _side = None if _back == _front else _index
            _entry = (_family, _form, _side)
            _spelt = to_mongolian(_latin)
            if _entry not in SUFFIXES.setdefault(_spelt, []):
                SUFFIXES[_spelt].append(_entry)

# After a plain space these are words of their own too: tür "for a while", and the
# particle ber "even, also" (bayibal ber "even if there is"), which does not inflect.
_WORDS_TOO = frozenset(to_mongolian(w) for w in ("tur", "tUr", "ber"))
_PARTICLES = {to_mongolian("uu"): 0, to_mongolian("UU"): 1}  # polite ask: -n-a uu / -n-e UU
_A, _E = to_mongolian("a"), to_mongolian("e")

# Words with a separated final a/e (MVS): written without it, they are wrong.
MVS_WORDS = _mn(
    "tog-a",
    "bag-a",
    "darag-a",
    "onug-a",
    "ner-e",
    "udag-a",
    "udq-a",
    "emUn-e",
    "dotor-a",
    "jixiy-e",
    "sUljiy-e",
    "qorog-a",
    "sanag-a",
    "Ur-e",
    "bayin-a",
    "bolun-a",
    "qoyin-a",
    "gadan-a",
)
_MVS_MISSING = {word.replace(MVS, ""): word for word in MVS_WORDS}

# Known wrong spellings (Khalkha forms, look-alike code points) -> the written form.
MISSPELLINGS = {
    to_mongolian(wrong): to_mongolian(right)
    for wrong, right in (
        ("tiyim", "teimU"),
        ("tiyimU", "teimU"),
        ("ustgaqu", "usadqaqu"),
        ("qaaqu", "qagaqu"),
        ("too", "tog-a"),
        ("onoo", "onug-a"),
        ("UbUr", "ObUr"),
        ("Obur", "ObUr"),
        ("surguguli", "surgaguli"),
    )
}

# Wrong verb stems, whatever ending follows (ustgagdaba, niyitelegdebe).
MISSPELT_STEMS = {
    to_mongolian(wrong): to_mongolian(right)
    for wrong, right in (
        ("ustga", "usadqa"),  # delete: Cyrillic spelling
        ("niyitele", "neyitele"),  # publish
        ("surguguli", "surgaguli"),  # school, with suffixes attached
    )
}

# Written words that do have a doubled vowel (door-a "below", bUU "do not").
_DOUBLE_OK = tuple(to_mongolian(w) for w in ("door", "goo", "bUU", "buu"))
# Roots where n + g + vowel is surely ng + g (the n+g typing of ng).
_NG_ROOTS = tuple(to_mongolian(w) for w in ("angi", "anggi", "mongol", "monggol", "songgo"))

# Words that mix back and front vowels (or double a vowel, or have n + g) on purpose:
# names transcribed from Chinese and compounds written as one word. Extend with
# ``check(..., allow=...)`` for a text's own.
ALLOWED = _mn(
    "qOqeqota",  # 呼和浩特 Hohhot: kOke + qota
    "Uqai",  # 乌海
    "tUNliyoo",  # 通辽
    "jegUngar",  # 准格尔: jegUn + gar
    "jalantUn",  # 扎兰屯
    "muumiNgan",  # 茂明安
    "boo",  # 元宝山: the syllable bao
    "qoolin",  # 霍林郭勒
    "UUsin",  # 乌审
    "manjuur",  # 满洲里
)

_PLACEHOLDER = r"%\([A-Za-z_][A-Za-z0-9_]*\)[a-z]|%[sd]|\{\{.*?\}\}|\{[A-Za-z_][A-Za-z0-9_.]*\}"
_TOKEN = re.compile(
    rf"(?P<ph>{_PLACEHOLDER})"
    rf"|(?P<mn>[\u1820-\u1878\u1880-\u18aa\u180b-\u180f\u200c\u200d]+)"
    rf"|(?P<nnbsp>{NNBSP}+)"
    r"|(?P<space>[^\S\u202f]+)"
    r"|(?P<latin>[A-Za-z\u00c0-\u024f\u0400-\u04ff]+)"
    r"|(?P<digits>[0-9\u1810-\u1819]+)"
    r"|(?P<other>.)",
    re.S,
)


@dataclass
class _Token:
    kind: str
    start: int
    end: int
    text: str


def _tokens(text: str) -> list[_Token]:
    return [
        _Token(m.lastgroup or "other", m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)
    ]


def _letters(word: str) -> str:
    """The word without FVS/ZWJ/ZWNJ (MVS kept)."""
    return "".join(ch for ch in word if ch not in _SHAPING)


def _harmony(word: str) -> int | None:
    """0 back, 1 front, None when the word has only i (or no vowel): its last non-neutral
    vowel decides, so a compound follows its last part, as its suffixes do."""
    for ch in reversed(word):
        if ch in BACK:
            return 0
        if ch in FRONT:
            return 1
    return None


def _is_loan(word: str) -> bool:
    return any(ch in FOREIGN for ch in word)


def _mixed(word: str) -> bool:
    return any(ch in BACK for ch in word) and any(ch in FRONT - {"\u1827"} for ch in word)


def _expected(family: str, stem: str, harmony: int | None) -> str | None:
    """The suffix of ``family`` the stem takes (front when the stem has only i), or None
    when its last letter (a loanword's) leaves the form to the reviewer."""
    letters = _letters(stem).replace(MVS, "")
    if not letters:
        return None
    last = letters[-1]
    forms = _FAMILIES[family]
    if "*" in forms:
        form = "*"
    elif "V" in forms:
        form = "V" if last in VOWELS else ("N" if last == _N else "C")
    elif last in VOWELS or last in _SOFT:
        form = "D"
    elif last in _HARD:
        form = "T"
    else:
        return None
    return to_mongolian(forms[form][0 if harmony == 0 else 1])


def check(text: str, *, context: str = "", allow: Iterable[str] = ()) -> list[Finding]:
    """Findings for one text, in the order they occur (see the module docstring)."""
    allowed = ALLOWED | frozenset(allow)
    tokens = _tokens(text)
    findings: list[Finding] = []

    def add(code: str, start: int, end: int, suggestion: str | None = None, certain=True):
        word, word_start = _word_around(text, start, end)
        span, covered = (start, end), text[start:end]
        findings.append(
            Finding(code, span, covered, suggestion, certain, context, word, word_start)
        )

    for index, token in enumerate(tokens):
        if token.kind == "latin" and any("\u0400" <= ch <= "\u04ff" for ch in token.text):
            add("romanisation", token.start, token.end)
            continue
        if token.kind != "mn":
            continue
        word = token.text
        letters = _letters(word)
        before = tokens[index - 1] if index else None
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        has_letters = any("\u1820" <= ch <= "\u18aa" for ch in word)
        if has_letters and any(t is not None and t.kind == "latin" for t in (before, after)):
            add("romanisation", token.start, token.end)
        # the gap (NNBSP or a space) a suffix follows, when this token may be one
        gap = before if before is not None and before.kind in ("nnbsp", "space") else None
        stem_token = tokens[index - 2] if gap is not None and index >= 2 else None

        # -- a case suffix ------------------------------------------------------------
        if (
            gap is not None
            and letters in SUFFIXES
            and letters == word  # a suffix has no variation selector; d1U is a syllable
            and stem_token is not None
            and not (gap.kind == "space" and letters in _WORDS_TOO)
        ):
            if stem_token.kind == "ph":
                add("suffix-after-placeholder", stem_token.start, token.end)
                continue
            if gap.kind == "space" and stem_token.kind in ("mn", "latin", "digits"):
                add("nnbsp-missing", gap.start, gap.end, NNBSP)
            if stem_token.kind == "mn":
                _check_suffix(add, tokens, index, stem_token, letters, allowed)
            continue
        # -- a lone a/e after NNBSP or a space: the separated final vowel -------------
        if (
            gap is not None
            and letters in (_A, _E)
            and stem_token is not None
            and stem_token.kind == "mn"
        ):
            add("mvs-missing", gap.start, gap.end, MVS)
            continue
        # -- ᠤᠤ/ᠦᠦ after a verb: the polite request --------------------------------
        if (
            letters in _PARTICLES
            and before is not None
            and before.kind == "space"
            and stem_token is not None
            and stem_token.kind == "mn"
        ):
            verb = _letters(stem_token.text)
            if verb.endswith((_N + _A, _N + _E)) and not verb.endswith(
                (_N + MVS + _A, _N + MVS + _E)
            ):
                add(
                    "mvs-missing",
                    stem_token.end - 1,
                    stem_token.end,
                    MVS + stem_token.text[-1],
                )
            harmony = _harmony(verb)
            if harmony is not None and harmony != _PARTICLES[letters] and not _is_loan(verb):
                right = next(p for p, h in _PARTICLES.items() if h == harmony)
                add("suffix-harmony", token.start, token.end, right)
            continue
        if len(letters) == 2 and letters in _PARTICLES:
            continue  # the particle on its own
        _check_word(add, token, letters, allowed)
    findings.sort(key=lambda f: (f.span, f.code))
    return findings


def _check_suffix(add, tokens, index, stem_token, suffix, allowed) -> None:
    token = tokens[index]
    stem = _letters(stem_token.text)
    # the root of a chain (word + NNBSP + suffix + NNBSP + suffix) sets the harmony
    root_index = index - 2
    while (
        root_index >= 2
        and tokens[root_index - 1].kind == "nnbsp"
        and tokens[root_index - 2].kind == "mn"
    ):
        root_index -= 2
    chained = root_index != index - 2
    root = _letters(tokens[root_index].text)
    harmony = _harmony(root)
    sure = (
        harmony is not None
        and not chained
        and not _is_loan(root)
        and not _mixed(root)
        and root not in allowed
    )
    wrong = []
    for family, form, suffix_harmony in SUFFIXES[suffix]:
        right = _expected(family, stem, harmony)
        if right is None:  # a loanword's last letter: only the vowel can be judged
            if harmony is not None and suffix_harmony not in (None, harmony):
                add("suffix-harmony", token.start, token.end, None, certain=sure)
            return
        if right == suffix:
            return
        wrong.append((family, form, right))
    family, form, right = wrong[0]
    right_form = next(f for fam, f, _h in SUFFIXES[right] if fam == family)
    if right_form == form or "*" in _FAMILIES[family]:
        add("suffix-harmony", token.start, token.end, right, certain=sure)
    else:
        add("suffix-form", token.start, token.end, right, certain=not chained)


def _check_word(add, token, letters, allowed) -> None:
    word = token.text
    start = token.start
    if letters in MISSPELLINGS:
        add("misspelling", start, token.end, MISSPELLINGS[letters])
        return
    for wrong, right in MISSPELT_STEMS.items():
        if letters.startswith(wrong) and word.startswith(wrong):
            add("misspelling", start, start + len(wrong), right)
            return
    stem = letters.split(MVS)[0]
    if letters in _MVS_MISSING:
        add("mvs-missing", start, token.end, _MVS_MISSING[letters])
    loan = _is_loan(letters)
    # ng typed as n + g
    for m in re.finditer(f"{_N}[{_SHAPING}]*{_G}", word):
        nxt = word[m.end() : m.end() + 1]
        if nxt == _G:
            add("ng-split", start + m.start(), start + m.end(), _ANG)
        elif not nxt or nxt == MVS or nxt not in VOWELS:
            add("ng-split", start + m.start(), start + m.end(), _ANG, certain=not loan)
        elif letters not in allowed:
            sure = letters.startswith(_NG_ROOTS) and not loan
            add("ng-split", start + m.start(), start + m.end(), _ANG + _G, certain=sure)
    # MVS only before a word-final a/e
    for m in re.finditer(MVS, word):
        tail = word[m.end() :]
        if m.start() == 0 or _letters(tail) not in (_A, _E):
            suffix = _letters(tail) in SUFFIXES  # tan-u: a suffix needs NNBSP
            add("mvs-stray", start + m.start(), start + m.end(), NNBSP if suffix else None)
    if stem.startswith(to_mongolian("ugei")):
        add("ugei", start, start + 1, to_mongolian("U"))
    elif letters not in allowed and not letters.startswith(_DOUBLE_OK):
        double = re.search("([\u1820\u1821\u1823\u1824\u1825\u1826])\\1", letters)
        if double and not loan:
            add("cyrillic-double-vowel", start, token.end)
        elif double or re.search("\u1822\u1822", letters):
            add("cyrillic-double-vowel", start, token.end, certain=False)
        if not loan and _mixed(stem):
            add("mixed-harmony", start, token.end, certain=False)
    # the separated final vowel agrees with its word
    if MVS in letters and not loan and letters not in allowed:
        head, _, tail = letters.partition(MVS)
        harmony = _harmony(head)
        if tail in (_A, _E) and harmony is not None and harmony != (tail == _E):
            add(
                "suffix-harmony",
                token.end - 1,
                token.end,
                _E if harmony else _A,
                certain=not _mixed(head),
            )
    # Latin digraphs spelt with h (ch, sh, zh, kh...)
    for m in re.finditer(_HAA, word):
        if m.start() and word[m.start() - 1] in _CONSONANTS_BEFORE_H:
            add("romanisation", start, token.end)
            break


def certain(findings: Iterable[Finding]) -> list[Finding]:
    """Only the mechanical defects."""
    return [f for f in findings if f.certain]


def fix(text: str, *, context: str = "", allow: Iterable[str] = ()) -> str:
    """``text`` with the suggestions of its certain findings applied (those without a
    suggestion, and the probable ones, are left for a person)."""
    result = text
    end_of_next = len(text) + 1
    for finding in sorted(check(text, context=context, allow=allow), key=lambda f: -f.span[0]):
        start, end = finding.span
        if finding.certain and finding.suggestion is not None and end <= end_of_next:
            result = result[:start] + finding.suggestion + result[end:]
            end_of_next = start
    return result
