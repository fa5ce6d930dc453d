"""Typed values found in evidence text: numbers (with units), URLs, devices, licences, names.

Each detector returns character spans, so the answer can quote exactly the value and the verdict
can measure how far a value sits from the asked term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from papertrail.answering.text import normalize


class Kind(StrEnum):
    NUMBER = "number"
    PERCENT = "percent"
    DURATION = "duration"
    MONEY = "money"
    BYTES = "bytes"
    VERSION = "version"
    URL = "url"
    LICENSE = "license"
    GPU = "gpu"
    HARDWARE = "hardware"
    OPTIMIZER = "optimizer"
    SOFTWARE = "software"
    MODEL = "model"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class Value:
    kind: Kind
    start: int
    end: int
    text: str
    number: float | None = None
    # For numbers: the unit or noun right after it ("images", "h", "%"), lower-case.
    unit: str = ""


_WORD_NUMBERS = {
    **dict(zip("one two three four five six seven eight nine ten eleven twelve".split(), range(1, 13), strict=True)),
    **{"fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "thousand": 1000},
    "dozen": 12,
}
_NUM = (
    r"(?<![\w.\-/])(?:[<>~≈≤≥]\s?)?[-+]?(?:\d{1,3}(?:[,\u202f\u2009]\d{3})+|\d+)(?:\.\d+)?"
    r"(?:\s?[x×]\s?10\s?[-−]?\s?\d+|e[-−+]?\d+)?"
    r"(?:\s?(?:[-–]|to)\s?\d+(?:\.\d+)?)?"  # ranges: 15-20, 1 to 5
    r"(?:\s?(?:[KMB]|million|billion|thousand)\b)?"
)
# not a number inside a word or compound: "ResNet50", "30-arcsecond", "step-1"
_NUMBER = re.compile(_NUM + r"(?:\s?%)?" + r"(?!\d|[\w.]\w|-[A-Za-z])", re.IGNORECASE)
_WORD_NUMBER = re.compile(r"\b(" + "|".join(_WORD_NUMBERS) + r")\b", re.IGNORECASE)
_TIME_UNIT = (
    r"(?:ms|milliseconds?|s|secs?|seconds?|min|mins|minutes?|h|hrs?|hours?|days?|weeks?|months?|"
    r"GPU[- ]hours?|GPU[- ]days?|CPU[- ]hours?)"
)
# "14 h", "two days", "one hour" (a duration is often written in words)
_DURATION = re.compile(
    r"(?:" + _NUM + r"|\b(?:" + "|".join(_WORD_NUMBERS) + r"|an?|half an?)\b)\s?" + _TIME_UNIT + r"(?![A-Za-z])",
    re.IGNORECASE,
)
_MONEY = re.compile(
    r"(?:[$€£]\s?"
    + _NUM.replace(r"(?<![\w.\-/])", "")
    + r"|"
    + _NUM
    + r"\s?(?:\$|USD|US\$|dollars?|euros?|EUR|€|£|GBP))",
    re.IGNORECASE,
)
_BYTES = re.compile(_NUM + r"\s?(?:[KMGTP]B|[KMGTP]iB|bytes|kilobytes|megabytes|gigabytes|terabytes)\b", re.IGNORECASE)
_VERSION = re.compile(
    r"(?<![\w.])(?:v(?:ersion)?\.?\s?\d+(?:\.\d+)*|\d+\.\d+\.\d+(?:\.\d+)?)(?![\w.]\w)", re.IGNORECASE
)
_URL = re.compile(
    r"(?:https?://|www\.)\S+|\b(?:github|gitlab|bitbucket|zenodo|figshare|osf|huggingface)\.(?:com|org|io|co)/?\S*"
    r"|\bdoi:\s?\S+|\b10\.\d{4,9}/\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:org|com|net|edu|io|ac\.\w\w|gov|kr|de|uk)/\S*",
    re.IGNORECASE,
)
_LICENSE = re.compile(
    r"\b(?:CC[- ]?BY(?:[- ](?:NC|SA|ND))*(?:[- ]?\d\.\d)?|CC0|Creative Commons[\w\s.-]{0,40}|MIT [Ll]icen[cs]e|"
    r"Apache(?: [Ll]icen[cs]e)?(?:,? (?:version |v)?2\.0)?|(?:A|L)?GPL(?:-?v?\d(?:\.\d)?)?|BSD(?:[- ]\d-[Cc]lause)?|"
    r"ODC[- ]BY|ODbL|Open Data Commons[\w\s-]{0,30}|public domain|licen[cs]ed under[^.;]{0,60}|"
    r"under (?:the|a) [\w\s.-]{0,40}licen[cs]e)",
)
_GPU = re.compile(
    r"\b(?:(?:NVIDIA|Nvidia|nVidia|GeForce|TITAN|Titan|Tesla|Quadro|RTX|GTX|Radeon|AMD Instinct)\b"
    r"(?:\s(?:NVIDIA|GeForce|TITAN|Titan|Tesla|Quadro|RTX|GTX|[A-Z]{1,2}\d{0,4}\w{0,2}|\d{2,4}\w{0,2}|"
    r"Ti|Xp|X|V|GPUs?))*"
    r"|(?:[VAKPHT]\d{2,3}|A\d{4}|TPU\s?v?\d?)s?\b(?:\sGPUs?)?)",
)
_HARDWARE = re.compile(
    r"\b(?:GPUs?|CPUs?|TPUs?|Xeon|Intel\b[\w\s()®™-]{0,30}|AMD\b[\w\s-]{0,20}|Core\s?i[3579]\b|i[3579]\b|"
    r"Raspberry Pi(?:\s\d\w?)?|Jetson[\w\s]{0,12}|laptop|desktop(?: PC| computer)?|workstation|"
    r"(?:compute |computing |HPC )?cluster|supercomput\w+|\d+(?:\.\d+)?\s?GHz|\d+\s?GB (?:of )?(?:RAM|memory))",
)
_OPTIMIZER = re.compile(
    r"\b(?:Adam[Ww]?|AdamW|Adamax|Nadam|NAdam|AMSGrad|SGD|[Ss]tochastic [Gg]radient [Dd]escent|"
    r"RMS[Pp]rop|Ada[Gg]rad|Ada[Dd]elta|LAMB|LARS|L-BFGS|Adafactor|[Mm]omentum optimi[sz]er)\b",
)
_SOFTWARE = re.compile(
    r"\b(?:TensorFlow|Tensorflow|PyTorch|Pytorch|Keras|Caffe2?|Theano|MXNet|JAX|Chainer|Torch|scikit-learn|sklearn|"
    r"Detectron2?|MMDetection|spaCy|sciSpaCy|scispaCy|NLTK|Stanza|CoreNLP|AllenNLP|Hugging\s?Face|[Tt]ransformers|"
    r"OpenCV|MATLAB|Matlab|Python|R package|R\b(?= (?:package|version|software|environment))|Java|C\+\+|Julia|"
    r"Darknet|fastai|Weka|XGBoost|LightGBM|gensim|word2vec|GROBID|Grobid|LaTeX|Lucene|Elasticsearch|"
    r"DeepLabv?3\+?|YOLO\w*|ImageJ|QGIS|ArcGIS|GDAL)\b",
)
_MODEL = re.compile(
    r"\b(?:(?:bi-?directional |two-layer |multi-layer )?(?:Bi-?)?LSTMs?|GRUs?|RNNs?|CNNs?|DNNs?|MLPs?|Transformers?|"
    r"BERT|RoBERTa|SciBERT|BioBERT|DistilBERT|ALBERT|XLNet|GPT-?\d?|T5|BART|ELMo|word2vec|GloVe|fastText|"
    r"ResNe[tX][-\w]*|VGG-?\d*|Inception[-\w]*|Xception|DenseNet[-\w]*|MobileNet[-\w]*|EfficientNet[-\w]*|"
    r"U-?Net\+*|SegNet|DeepLab[-\w+]*|(?:Mask |Faster |Fast )?R-CNN|YOLO[-\w]*|RetinaNet|AlexNet|LeNet|GoogLeNet|"
    r"ViT|Swin[-\w]*|multi-?layer perceptrons?|random forests?|support vector machines?|SVMs?|CRFs?|"
    r"conditional random fields?|autoencoders?|GANs?|Siamese networks?|(?:[A-Z][a-z]+)+Net\w*|"
    r"(?:recurrent|convolutional|feed-?forward|deep|graph|siamese|bidirectional) neural networks?)",
    re.IGNORECASE,
)
# A proper name: capitalised or mixed-case word, acronym, or word with digits (not at sentence start).
_NAME = re.compile(r"\b(?:[A-Z][a-z]*[A-Z0-9][\w-]*|[A-Z]{2,}[\w-]*|[a-z]+[A-Z][\w-]*|[A-Z][a-z]+(?:-[A-Z0-9]\w*)+)\b")
_NOT_NAMES = frozenset(
    (
        "We The In This These That Our It Its For From With Table Tables Fig Figure Figures Section Eq "
        "Equation However Thus Therefore Also As At By On Of To An A And Or If When While Since Although "
        "Here There Appendix Supplementary Results Methods Discussion Introduction Conclusion Note All "
        "Each Both"
    ).split()
)

# Things that look like numbers but are references, not values.
_REFERENCE_BEFORE = re.compile(
    r"(?:\b(?:Table|Tables|Tab|Fig|Figs|Figure|Figures|Section|Sect|Sec|Eq|Eqs|Equation|Equations|Appendix|Step|"
    r"step|Experiment|Exp|Chapter|Algorithm|Line|Eqn|Ref|page|p|pp|S|Supplementary|Layer|Block|Phase|Stage|Part)"
    r"\.?\s?[A-Z]?|\[|\[\d+,\s?|et al\.,?\s?|\w\s\(|[A-Za-z]-)$"
)
_YEAR = re.compile(r"^(?:19|20)\d\d$")


def _is_reference(text: str, start: int, end: int, raw: str) -> bool:
    before = text[max(0, start - 16) : start]
    after = text[end : end + 2]
    if _REFERENCE_BEFORE.search(before):
        # "(Smith, 2019)", "[16]", "Table 2", "Fig. 3", "et al. 2020", "step-1"
        return not (before.endswith("(") and not _YEAR.match(raw))
    if after.startswith("]") and "[" in text[max(0, start - 8) : start]:
        return True
    return bool(
        _YEAR.match(raw) and (before.rstrip().endswith((",", "(", "al.")) or after.startswith((")", ";", "a", "b")))
    )


def _to_float(raw: str) -> float | None:
    m = re.search(r"\d+(?:[,\u202f\u2009]\d{3})*(?:\.\d+)?", raw)
    return float(re.sub(r"[,\u202f\u2009]", "", m.group(0))) if m else None


_UNIT_AFTER = re.compile(r"\s?([A-Za-z%$€£]+(?:[- ][a-z]+)?)")


def numbers(text: str) -> list[Value]:
    """Every standalone number (not references like "Table 2", "[16]", years in citations)."""
    out = []
    for m in _NUMBER.finditer(text):
        raw = m.group(0).strip()
        if not re.search(r"\d", raw):
            continue
        if _is_reference(text, m.start(), m.end(), raw):
            continue
        u = _UNIT_AFTER.match(text, m.end())
        unit = "%" if raw.endswith("%") else u.group(1).lower() if u else ""
        kind = Kind.PERCENT if raw.endswith("%") or unit.startswith(("percent", "%")) else Kind.NUMBER
        out.append(Value(kind, m.start(), m.end(), raw, _to_float(raw), unit))
    for m in _WORD_NUMBER.finditer(text):
        sentence_start = m.start() == 0 or text[: m.start()].rstrip().endswith((".", ":"))
        if sentence_start and not re.match(r"\s+\w+s\b", text[m.end() :]):
            continue  # "One of the ..." at a sentence start is seldom a count
        u = _UNIT_AFTER.match(text, m.end())
        number = float(_WORD_NUMBERS[m.group(0).lower()])
        out.append(Value(Kind.NUMBER, m.start(), m.end(), m.group(0), number, u.group(1).lower() if u else ""))
    return sorted(out, key=lambda v: v.start)


def _spans(kind: Kind, pattern: re.Pattern[str], text: str, trailing: str = " .,;:)") -> list[Value]:
    out = []
    for m in pattern.finditer(text):
        raw = m.group(0).rstrip(trailing)
        if raw:
            out.append(Value(kind, m.start(), m.start() + len(raw), raw, _to_float(raw) if kind in _NUMERIC else None))
    return out


_SOFTWARE_CONTEXT = re.compile(
    r"\b(?:library|libraries|framework|package|toolkit|toolbox|software|implemented (?:in|with|using)|written in|"
    r"wraps?|wrapper|plugin|API|tool)\b",
    re.I,
)
_NUMERIC = {Kind.DURATION, Kind.MONEY, Kind.BYTES, Kind.NUMBER, Kind.PERCENT}
# Kinds whose values are exactly their pattern's matches.
_PLAIN = {
    Kind.MONEY: _MONEY,
    Kind.BYTES: _BYTES,
    Kind.VERSION: _VERSION,
    Kind.LICENSE: _LICENSE,
    Kind.GPU: _GPU,
    Kind.OPTIMIZER: _OPTIMIZER,
}


# Digits printed small: alone they are a footnote or reference marker ("² We fixed the seeds"), not a value.
_SMALL_DIGITS = frozenset("⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉")


def find(kind: Kind, text: str) -> list[Value]:
    """Values of one kind in text (offsets are offsets in text: folding keeps lengths)."""
    printed, text = text, normalize(text)
    if kind in (Kind.NUMBER, Kind.PERCENT):
        vals = [v for v in numbers(text) if not set(printed[v.start : v.end]) <= _SMALL_DIGITS]
        return [v for v in vals if v.kind == Kind.PERCENT] if kind == Kind.PERCENT else vals
    if kind == Kind.DURATION:
        return [v for v in _spans(kind, _DURATION, text) if not _is_reference(text, v.start, v.end, v.text)]
    if kind in _PLAIN:
        return _spans(kind, _PLAIN[kind], text)
    if kind == Kind.URL:
        return _spans(kind, _URL, text, trailing=" .,;:)]")
    if kind == Kind.HARDWARE:
        return sorted(_spans(Kind.GPU, _GPU, text) + _spans(kind, _HARDWARE, text), key=lambda v: v.start)
    if kind == Kind.SOFTWARE:
        found = _spans(kind, _SOFTWARE, text)
        # another name counts when the sentence says it is software ("the X library", "implemented in X")
        if _SOFTWARE_CONTEXT.search(text):
            found += [v for v in names(text) if not any(f.start <= v.start < f.end for f in found)]
        return sorted(found, key=lambda v: v.start)
    if kind == Kind.MODEL:  # also a name with digits ("ResNet50", "YOLOv3")
        numbered = [v for v in names(text) if re.search(r"\d", v.text) and re.search(r"[A-Za-z]{2}", v.text)]
        return sorted(_spans(kind, _MODEL, text) + numbered, key=lambda v: v.start)
    if kind == Kind.NAME:
        return names(text)
    return []


def names(text: str) -> list[Value]:
    out = []
    for m in _NAME.finditer(text):
        raw = m.group(0)
        if raw in _NOT_NAMES or re.fullmatch(r"[A-Z]\d*", raw):
            continue
        out.append(Value(Kind.NAME, m.start(), m.end(), raw))
    for v in _spans(Kind.NAME, _SOFTWARE, text) + _spans(Kind.NAME, _CAPITALISED_MID, text):
        if v.text not in _NOT_NAMES and not any(o.start <= v.start < o.end for o in out):
            out.append(v)
    return sorted(out, key=lambda v: v.start)


# A capitalised word inside a sentence ("trained with Adam", "the Upwork freelancers").
_CAPITALISED_MID = re.compile(r"(?<=[a-z0-9,;:)] )[A-Z][a-z]{2,}(?:[- ][A-Z][a-z]+)*\b")
