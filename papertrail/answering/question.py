"""Question analysis: what kind of answer is expected, about which term, under which qualifiers.

The analysis is purely linguistic (wh-word, the noun phrase it asks about, units named in the
question) so it applies to any paper: "What batch size was used?" expects a number near
"batch size"; "Which GPU ...?" a GPU; "Where is the code available?" a URL near "code".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from papertrail.answering.text import QUESTION_FILLER, STOPWORDS, content_terms, normalize, stems_of_word, words
from papertrail.answering.values import Kind, find

_YESNO_START = re.compile(
    r"^(?:is|are|was|were|do|does|did|can|could|has|have|had|will|would|should|may|might|must|shall)\b", re.I
)
_PREFIX = re.compile(r"^(?:according to|in|based on|from|as (?:shown|reported) in)\s+(?:the\s+)?[^,?]{1,60},\s*", re.I)
_TABLE_REF = re.compile(r"\b(Table|Tab\.|Figure|Fig\.)\s*([A-Z]?\d+[a-z]?|[IVXL]+)\b")
_TABLE_WORDS = {"Tab.": "Table", "Fig.": "Figure"}
_AUX = r"(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|may|might|must)"
_WH_NP = re.compile(
    r"^(?:(?:on|in|at|under|with|by|for|from|of|to)\s+)?(what|which)\s+(.+?)\s+" + _AUX + r"\b(.*)$", re.I
)
_WH_OF = re.compile(
    r"^(?:what|which)\s+" + _AUX + r"\s+(?:the\s+|a\s+|an\s+)?(.+?)\s+(?:of|for|in|on|used)\s+(.+)$", re.I
)
_WH_BE = re.compile(r"^(?:what|which)\s+" + _AUX + r"\s+(?:the\s+|a\s+|an\s+)?(.+?)$", re.I)
_HOW_MANY = re.compile(
    r"^(?:(?:for|in|on|at|with|by|from|of|to)\s+)?how\s+(many|much)\s+(.+?)\s+" + _AUX + r"\b(.*)$", re.I
)
_HOW_ADJ = re.compile(r"^how\s+(long|fast|quickly|large|big|small|much time|often|far|deep|wide)\b(.*)$", re.I)
_WHERE = re.compile(r"^where\b(.*)$", re.I)
_WHO = re.compile(r"^(?:by\s+)?(?:who|whom)\b(.*)$", re.I)
_WHEN = re.compile(r"^when\b(.*)$", re.I)
_TAKES_TIME = re.compile(r"\b(?:take|took|last|lasted|run|ran|need|required?|spend|spent)\b|\btime\b", re.I)
_STORAGE = re.compile(r"\b(?:disk|storage|memory|bytes|gb|tb|mb|gigabytes?|terabytes?)\b", re.I)
# "Where is the code available?" asks for a URL; "Where were the samples collected?" for a place.
_AVAILABLE_THING = re.compile(
    r"\b(?:code|software|implementation|data|dataset|model|weights|corpus|available|released|download\w*|hosted|"
    r"found|obtained|accessed|published)\b",
    re.I,
)
_ORIGIN = re.compile(r"\btaken from|come from|collected|recorded|located|sampled\b", re.I)

# Cue words in the asked noun phrase -> expected value kind (the first kind whose cue occurs).
_FOCUS_KINDS = [
    (re.compile(pattern, re.I), kind)
    for kind, pattern in (
        (Kind.URL, r"\b(?:url|link|web ?site|web ?page|doi)\b"),
        (Kind.LICENSE, r"\blicen[cs]e"),
        (Kind.VERSION, r"\bversion\b"),
        (Kind.GPU, r"\b(?:gpus?|graphics cards?)\b"),
        (Kind.HARDWARE, r"\b(?:hardware|cpus?|machines?|computers?|devices?|compute)\b"),
        (Kind.OPTIMIZER, r"\boptimi[sz](?:er|ers|ation algorithm|ation method)\b"),
        (Kind.MONEY, r"\b(?:cost|price|budget|fee|wage|salary|hourly rate|pay|payment|compensation)\b"),
        (Kind.PERCENT, r"\b(?:percentage|percent|proportion|share|fraction)\b"),
        (
            Kind.SOFTWARE,
            r"\b(?:library|libraries|framework|frameworks|software|package|toolkit|toolbox|tools?|programming language|"
            r"language|platform)\b",
        ),
        (
            Kind.NUMBER,
            r"\b(?:rate|size|sizes|number|count|score|scores|accuracy|precision|recall|f1|f-?score|f-?measure|auc|"
            r"roc|iou|miou|map|ap|ap50|bleu|rouge|mae|rmse|mse|error|loss(?! function)|r2|r²|correlation|seed|epochs?|"
            r"dimension|dimensions|dimensionality|dim|parameters|params|threshold|momentum|decay|temperature|"
            r"ratio|length|width|height|depth|resolution|weight|weights|factor|coefficient|value|values|"
            r"mean|median|average|total|maximum|minimum|highest|lowest|frequency|duration|time|speed|kappa|"
            r"sensitivity|specificity|perplexity|margin|alpha|beta|gamma|lambda|p-value|significance)\b",
        ),
        (
            Kind.MODEL,
            r"\b(?:model|models|architecture|architectures|network|networks|cnns?|rnns?|encoder|backbone|classifier|"
            r"detector|neural)\b",
        ),
        (
            Kind.NAME,
            r"\b(?:dataset|datasets|corpus|corpora|knowledge bases?|kbs?|database|databases|benchmark|benchmarks|"
            r"repository|archive|source|sources|resource|resources|"
            r"algorithm|baseline|baselines|tokenizer|embedding|embeddings|vectors|"
            r"metric|metrics|measure|species|organization|institution|"
            r"company|country|region|site|sites|location|journal|venue|conference)\b",
        ),
    )
]
# Qualifiers that tell two otherwise similar facts apart.
PHASES: dict[str, re.Pattern[str]] = {
    # verb or noun uses only: "to pretrain X", "during fine-tuning"; not "a pre-trained CNN"
    "pretrain": re.compile(
        r"\bpre-?train(?:ing)?\b(?!\s+(?:cnn|model|network|weights|vectors|embeddings)\b)|\bto pre-?train\b", re.I
    ),
    "finetune": re.compile(r"\bfine-?tun(?:e|ing)\b(?!\s+(?:cnn|model|network)\b)", re.I),
    "inference": re.compile(r"\binference\b|\bat test time\b|\bprediction time\b", re.I),
}
# In evidence every form counts: "pretrained", "finetuned", "fine-tuning".
PHASES_IN_EVIDENCE: dict[str, re.Pattern[str]] = {
    "pretrain": re.compile(r"\bpre-?train\w*", re.I),
    "finetune": re.compile(r"\bfine-?tun\w*", re.I),
    "inference": re.compile(r"\binference\b|\bat test time\b|\bprediction time\b", re.I),
}
# "Which model reached the highest F1?": the row holding a column's extreme value answers.
_HIGHEST = re.compile(r"\b(?:highest|largest|greatest|maximum|max|most|top)\b", re.I)
_LOWEST = re.compile(r"\b(?:lowest|smallest|least|minimum|min|fewest)\b", re.I)
_AGGREGATE = re.compile(r"\b(?:total|in total|overall|altogether|in all|combined|whole)\b", re.I)
_RATE_Q = re.compile(r"\b(?:per|each|every|hourly|daily|rate)\b", re.I)
_SUBJECT_DROP = frozenset("many much long fast quickly large big small often far deep wide".split())
_GENERIC_FOCUS = frozenset(
    "value values number amount kind type exact specific total overall other main particular".split()
)
_AVAILABILITY_VERBS = frozenset(
    "available released found hosted published obtained accessed download downloaded".split()
)
_MEASURES = frozenset({Kind.NUMBER, Kind.PERCENT, Kind.DURATION, Kind.MONEY, Kind.BYTES})


@dataclass(frozen=True)
class Question:
    text: str
    yesno: bool
    kind: Kind | None  # the expected value; None for open questions (methods, reasons)
    focus: tuple[str, ...]  # the asked attribute, as written: ("batch", "size")
    focus_phrase: str  # "batch size"
    category: tuple[str, ...] = ()  # words naming the kind of answer: ("GPU",), ("library", "framework")
    subject: tuple[str, ...] = ()  # other content words: ("train", "network")
    table_ref: str = ""  # "Table 2" when the question points at a table
    aggregate: bool = False  # asks for a total ("in total", "overall")
    asks_rate: bool = False  # asks for a rate ("hourly rate", "per page")
    phases: frozenset[str] = frozenset()  # pretrain / finetune / inference named in the question
    extra_kinds: tuple[Kind, ...] = ()  # further slots of a coordinated question ("which X and Y")
    given_values: tuple[str, ...] = ()  # numbers the question itself states ("for N s of input"): not answers
    compound: bool = False  # two questions in one ("what is X, and where is it?")
    extreme: str = ""  # "max" / "min": the question asks for the row with a column's highest / lowest value
    count: bool = False  # "how many X": the number is written before X ("40669 images")
    examples: tuple[str, ...] = ()  # "(e.g., SGD, Adam)": members of the asked category, not required words
    # per example, the stems that must all occur for a sentence to name it ("public datasets")
    example_stems: tuple[frozenset[str], ...] = ()

    @property
    def form(self) -> str:
        """yesno | table | category (examples name the kind of answer) | value (a typed value) | descriptive."""
        if self.yesno:
            return "yesno"
        if self.table_ref.startswith("Table"):
            return "table"
        if self.examples:
            return "category"
        return "value" if self.kind is not None else "descriptive"

    def names_example(self, stems: frozenset[str]) -> bool:
        return any(e <= stems for e in self.example_stems)

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.focus + self.category + self.subject))


_CATEGORY_WORDS = re.compile(
    r"^(?:url|link|website|webpage|doi|licen[cs]es?|versions?|gpus?|graphics|cards?|hardware|cpus?|machines?|"
    r"computers?|"
    r"devices?|compute|optimi[sz]ers?|library|libraries|frameworks?|software|packages?|toolkits?|toolbox|tools?|"
    r"programming|languages?|platforms?|datasets?|corpus|corpora|knowledge|bases?|kbs?|databases?|models?|"
    r"architectures?|networks?|cnns?|encoders?|backbones?|classifiers?|algorithms?|methods?|fee|"
    r"wage|salary|hourly|rate|pay|payment|compensation|time|duration|size|resources?|sources?|repository|archive|"
    r"pre-trained|pretrained|trained|neural|deep|learning)$",
    re.I,
)


def _is_category(word: str, kind: Kind | None) -> bool:
    if kind in (None, Kind.NUMBER):
        return False
    if kind == Kind.VERSION:
        return word.lower() in ("version", "versions")
    if kind == Kind.PERCENT:
        return word.lower() in ("percentage", "percent", "proportion", "share", "fraction")
    return bool(_CATEGORY_WORDS.match(word))


def _kind_for(phrase: str) -> Kind | None:
    return next((kind for pattern, kind in _FOCUS_KINDS if pattern.search(phrase)), None)


_EXAMPLE_LIST = re.compile(r"^\s*(?:e\.\s?g\.?|for example|for instance|such as|like|including)\s*[,:]?\s*", re.I)
# Kinds specific enough that examples of them tell what the answer is ("(e.g., SGD, Adam)" -> an optimizer).
_EXAMPLE_KINDS = (Kind.OPTIMIZER, Kind.GPU, Kind.HARDWARE, Kind.SOFTWARE, Kind.MODEL, Kind.URL, Kind.LICENSE)


def _examples(hints: list[str]) -> tuple[str, ...]:
    """The members listed in an "(e.g., A, B or C)" parenthesis."""
    out: list[str] = []
    for hint in hints:
        if m := _EXAMPLE_LIST.match(hint):
            parts = re.split(r",|;|\bor\b|\band\b|\betc\.?", hint[m.end() :])
            out += [re.sub(r"^\s*(?:links? to|a|an|the)\s+", "", p.strip(), flags=re.I).strip(" .") for p in parts]
    return tuple(dict.fromkeys(p for p in out if p))


def _example_kind(examples: tuple[str, ...]) -> Kind | None:
    """The value kind most of the examples are (None when they are plain words: "surveys, sensors")."""
    for kind in _EXAMPLE_KINDS:
        if examples and 2 * sum(bool(find(kind, e)) for e in examples) >= len(examples):
            return kind
    return None


_EXAMPLES = re.compile(r",|\bor\b|\be\.g\.|\bfor example\b|\bsuch as\b|\bi\.e\.|\blike\b", re.IGNORECASE)


def analyse(question: str) -> Question:
    q = normalize(question).strip()
    table = _TABLE_REF.search(q)
    table_ref = f"{_TABLE_WORDS.get(table.group(1), table.group(1))} {table.group(2)}" if table else ""
    body = _PREFIX.sub("", q).rstrip(" ?.")
    # A parenthesis holds unit hints ("(in GB)"), labels of table rows and columns ("(A.N)") or members of
    # the asked category ("(e.g., SGD, Adam)").
    parentheses = re.findall(r"\(([^)]*)\)", body)
    hints = " ".join(parentheses)
    body_np = re.sub(r"\s*\([^)]*\)", "", body)
    parts = re.split(r",?\s+and\s+(?=(?:what|which|where|how|who|when)\b)", body_np, maxsplit=1)
    main = parts[0]
    compound = len(parts) > 1
    yesno = bool(_YESNO_START.match(main))

    kind: Kind | None = None
    focus_words: list[str] = []
    extra: list[Kind] = []

    m_many = _HOW_MANY.match(main)
    m_np = None if re.match(r"^(?:what|which)\s+" + _AUX + r"\b", main, re.I) else _WH_NP.match(main)
    if yesno:
        kind = None
    elif m_many:
        money = m_many.group(1).lower() == "much" and re.search(r"\b(?:cost|pay|paid)\b", main, re.I)
        kind = Kind.MONEY if money else Kind.NUMBER
        focus_words = content_terms(m_many.group(2))
    elif m_adj := _HOW_ADJ.match(main):
        adj = m_adj.group(1).lower()
        rest = m_adj.group(2)
        size = adj in ("large", "big", "small")
        if adj in ("fast", "quickly") or adj in ("long", "much time", "often") and _TAKES_TIME.search(rest):
            kind, focus_words = Kind.DURATION, ["time"]
        elif size and _STORAGE.search(q):
            kind, focus_words = Kind.BYTES, ["size"]
        else:
            kind, focus_words = Kind.NUMBER, ["size"] if size else [adj]
    elif m_where := _WHERE.match(main):
        rest = m_where.group(1)
        if _AVAILABLE_THING.search(rest) and not _ORIGIN.search(rest):
            kind = Kind.URL
            focus_words = [w for w in content_terms(rest) if w.lower() not in _AVAILABILITY_VERBS][:3]
        else:
            kind = Kind.NAME
    elif _WHO.match(main):
        kind = Kind.NAME
    elif _WHEN.match(main):
        kind = Kind.NUMBER
    elif m_np:
        # "percentage of the items that <clause>" asks for a percentage: a relative
        # clause qualifies the asked thing but is not part of its name
        phrase = re.split(r"\s+(?:that|which|who|whom|whose)\s+", m_np.group(2))[0]
        pieces = re.split(r"\s+(?:and|or)\s+", phrase)
        kind = _kind_for(phrase)
        # "which X and Y": the first slot must be found; the others are context
        focus_words = content_terms(pieces[0]) if len(pieces) > 1 and _kind_for(pieces[0]) else content_terms(phrase)
        extra = [k for k in map(_kind_for, pieces[1:]) if k and k != kind]
        if kind is None:
            kind = Kind.NAME if m_np.group(1).lower() == "which" else None
    elif m_of := _WH_OF.match(main):
        focus_words, kind = content_terms(m_of.group(1)), _kind_for(m_of.group(1))
    elif m_be := _WH_BE.match(main):
        focus_words = content_terms(m_be.group(1))[:3]

    # Units named anywhere in the question refine a numeric kind.
    if kind == Kind.NUMBER and re.search(r"\b(?:seconds?|minutes?|hours?|days?)\b", hints, re.I):
        kind = Kind.DURATION
    if kind in (Kind.NUMBER, None) and re.search(r"\b(?:in|on)\s+(?:GB|TB|MB|bytes)\b|\bon disk\b", q, re.I):
        kind = Kind.BYTES
    if kind == Kind.NUMBER and re.search(r"\bhow long\b.*\b(?:train|take|took)\b", q, re.I):
        kind = Kind.DURATION
    if kind == Kind.SOFTWARE and re.search(r"\btools?\b", " ".join(focus_words), re.I):
        kind = Kind.NAME

    focus_words = [w for w in focus_words if w.lower() not in QUESTION_FILLER]
    focus_words = [w for w in focus_words if w.lower() not in _GENERIC_FOCUS] or focus_words
    focus_set = {w.lower() for w in focus_words}
    # Words naming the kind of answer ("GPU", "library", "licence") are satisfied by a value of that
    # kind; the other words of the asked phrase ("batch size", "Grobid") must be found with the value.
    category = [w for w in focus_words if _is_category(w, kind)]
    focus_words = [w for w in focus_words if w not in category]
    subject = [w for w in content_terms(body_np) if w.lower() not in focus_set and not _TABLE_REF.match(w)]
    # Labels in parentheses ("(A.N)", "(Bio)") name table rows and columns; a list of examples
    # ("(SGD, Adam, RMSprop)", "(e.g., GPUs or TPUs)") only illustrates the answer, so it is not required.
    labels = " ".join(h for h in parentheses if not _EXAMPLES.search(h))
    subject += [
        w
        for w in content_terms(labels)
        if w.lower() not in focus_set and w not in subject and not w.lower().startswith("e.g")
    ]
    if table:
        subject = [w for w in subject if w.lower() not in {"table", "figure", table.group(2).lower()}]

    examples = _examples(parentheses)
    if examples and kind in (None, Kind.NAME, Kind.NUMBER):
        kind = _example_kind(examples) or kind
    if kind in _MEASURES:  # a measurement has no members: what its parenthesis lists are units or scales
        examples = ()
    phases = frozenset(name for name, pat in PHASES.items() if pat.search(q))
    given = tuple(m.group(0) for m in re.finditer(r"(?<![\w.-])\d+(?:\.\d+)?(?![\w-]|\.\d)", _TABLE_REF.sub("", q)))
    return Question(
        text=question,
        yesno=yesno,
        kind=kind,
        focus=tuple(focus_words),
        focus_phrase=" ".join(focus_words) or " ".join(category),
        category=tuple(category),
        subject=tuple(w for w in subject if w.lower() not in STOPWORDS and w.lower() not in _SUBJECT_DROP),
        table_ref=table_ref,
        aggregate=bool(_AGGREGATE.search(q)),
        asks_rate=bool(_RATE_Q.search(" ".join(focus_words))) or bool(re.search(r"\bper\b", q, re.I)),
        phases=phases,
        extra_kinds=tuple(extra),
        given_values=given,
        compound=compound,
        extreme="max" if _HIGHEST.search(q) else "min" if _LOWEST.search(q) else "",
        count=bool(m_many),
        examples=examples,
        example_stems=tuple(s for s in map(_stems_that_name, examples) if s),
    )


def _stems_that_name(example: str) -> frozenset[str]:
    return frozenset(stems_of_word(w)[0] for w, _, _ in words(example) if w.lower() not in STOPWORDS)
