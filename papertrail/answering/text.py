"""Word-level text helpers shared by question analysis, sentence scoring and the verdict.

Matching is on light stems (plural, -ing, -ed, British -ise spellings folded) so that "trained",
"training" and "train" meet, and hyphenated compounds count both as parts and joined
("pre-trained" matches "pretrained" and "pre trained").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CAMEL = re.compile(r"[A-Z][a-z]+|[a-z]+")
_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'’][A-Za-z0-9]+|\.[A-Za-z0-9]+(?=[\s,;:)\]]|$))*")

STOPWORDS = frozenset(
    (
        "a about above after again against all also am an and any are as at be been before being below "
        "between both but by can could did do does doing done down during each either else ever few for "
        "from further had has have having he her here hers him his how however i if in into is it its "
        "itself just me more most much must my no nor not of off on once only or other our ours out over "
        "own per same she should so some such than that the their theirs them then there these they this "
        "those through thus to too under until up upon us very via was we were what when where whether "
        "which while who whom whose why will with within would yet you your use used using uses according "
        "paper study article authors author work given report reported reports describe described e g i.e "
        "eg ie et al also overall specific exactly approximately kind type exact respectively value "
        "values amount one"
    ).split()
)
# Words that carry no content of their own in a question ("What X was obtained?").
QUESTION_FILLER = frozenset(
    (
        "obtain obtained achieve achieved get got yield yielded give gave employ employed apply applied "
        "make made take took taken perform performed happen include included includes"
    ).split()
)
_NOT_CONTENT = STOPWORDS | QUESTION_FILLER

# Small general vocabulary of equivalent terms (spelling variants and near-synonyms of the field).
_EQUIVALENTS = [
    ("license", "licence", "licensed", "licenced", "licensing"),
    ("optimizer", "optimiser", "optimization", "optimisation", "optimizing", "optimising"),
    ("objective", "loss", "criterion"),
    ("gpu", "gpus", "graphics"),
    ("code", "implementation", "repository", "github"),
    ("test", "testing", "evaluation", "held-out"),
    ("image", "picture", "photo", "photograph"),
    ("dataset", "corpus", "data"),
    ("library", "framework", "package", "toolkit", "software", "toolbox"),
    ("architecture", "network", "model", "backbone"),
    ("hyperparameter", "hyper-parameter"),
    ("minibatch", "mini-batch", "batch"),
    ("epoch", "iteration"),
    ("url", "link", "website", "http", "https", "www"),
    ("compensate", "pay", "paid", "payment", "wage", "compensation"),
    ("cost", "spent", "spend", "expense", "expenditure", "price"),
    ("kb", "knowledge"),
]


_CHAR_FIX = {"\u2212": "-", "\u2013": "-", "\u2014": " ", "\u2010": "-", "\u2011": "-", "\u2019": "'", "\u00ad": "-"}


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", _CHAR_FIX.get(ch, ch))
    return _CHAR_FIX.get(folded, folded) if len(folded) == 1 else ch


def normalize(text: str) -> str:
    """Fold look-alike characters (dashes, quotes, full-width and superscript digits) one for one: the
    result has exactly the length of the input, so offsets found in it are offsets in the text."""
    return text if text.isascii() else "".join(_fold_char(c) for c in text)


def comparable(text: str) -> str:
    """The shared scorer's normalisation: NFKC, lower case, digit groups joined ("40,669" is "40669")."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"(?<=\d)[,\u202f\u2009 ](?=\d{3}\b)", "", text).replace("\u2212", "-")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light, predictable stemmer: enough to meet inflections, never clever."""
    w = word.lower().replace("'", "").replace("’", "")
    if len(w) <= 3 or not w.isalpha():
        return w
    w = re.sub(r"(?<=\w{3})is(?=e$|er$|ers$|ation|ations$|ing$|ed$)", "iz", w)  # optimise -> optimize
    w = w.replace("licenc", "licens")
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ing") and len(w) > 5:
        w = w[:-3]
    elif w.endswith("ed") and len(w) > 4 or w.endswith("er") and w.endswith(("izer", "iser")):
        w = w[:-2]
    if w.endswith("ation") and len(w) > 7:
        w = w[:-5]
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "ls":
        w = w[:-1]  # "trainn" never, but "stopp" -> "stop"
    return w


_EQUIV_STEM: dict[str, str] = {}
for _group in _EQUIVALENTS:
    _head = stem(_group[0].replace("-", ""))
    for _w in _group:
        _EQUIV_STEM.setdefault(stem(_w.replace("-", "")), _head)


def canonical(token_stem: str) -> str:
    """The stem a group of equivalent terms shares (for the soft matching of topics)."""
    return _EQUIV_STEM.get(token_stem, token_stem)


def words(text: str) -> list[tuple[str, int, int]]:
    """(word, start, end) for each word of text (hyphenated compounds kept whole)."""
    return [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]


@lru_cache(maxsize=32768)
def stems_of_word(word: str) -> tuple[str, ...]:
    """The stems one written word contributes: itself, and for a compound its parts and joined form."""
    parts = re.split(r"[-'’]", word)
    if len(parts) == 1:
        camel = _CAMEL.findall(word)
        if len(camel) > 1 and all(len(c) > 2 for c in camel):
            # "GrobidParser" is also "Grobid" + "Parser"
            return (stem(word), *dict.fromkeys(stem(c) for c in camel))
        return (stem(word),)
    out = [stem("".join(parts))]
    out.extend(stem(p) for p in parts if p and p.lower() not in STOPWORDS and len(p) > 1)
    return tuple(dict.fromkeys(out))


def content_terms(text: str) -> list[str]:
    """Content words of text (stopwords and question filler dropped), as they are written."""
    kept = [w for w, _, _ in words(normalize(text)) if w.lower() not in _NOT_CONTENT]
    return [w for w in kept if len(w) > 1 or w.isdigit()]


def stems_in(text: str) -> frozenset[str]:
    """Every stem of every word of the text (look-alike characters folded)."""
    return frozenset(x for w, _, _ in words(normalize(text)) for x in stems_of_word(w))
