"""Question batteries: parsing, validating, storing and resolving the questions a review asks."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from papertrail.settings import Settings

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "batteries"
DEFAULT_BATTERY = "Deep-learning reproducibility checklist"
MAX_ITEMS = 200
MAX_QUESTION_CHARS = 500
MAX_NAME_CHARS = 80

_KEY = re.compile(r"^[A-Za-z0-9_][\w.-]{0,39}$")
# "key: question" -- the key has no spaces and a space must follow the colon, so "https://..." is no key.
_KEYED_LINE = re.compile(r"^([A-Za-z0-9_][\w.-]{0,39})\s*:\s+(\S.*)$")
_NAME_HEADER = re.compile(r"^#\s*name\s*:\s*(.+)$", re.IGNORECASE)
# Words left out of keys derived from a question ("Which GPU was used?" -> "gpu_used").
_QUESTION_WORDS = "a an and are as at be by did do does for from how in is it of on or the to was were what when where"
_KEY_STOPWORDS = frozenset((_QUESTION_WORDS + " which who why with").split())


class BatteryError(ValueError):
    """A battery could not be read, resolved or saved; the message says why."""


@dataclass(frozen=True, slots=True)
class BatteryItem:
    key: str  # short column label, e.g. "hardware"
    question: str


@dataclass(frozen=True, slots=True)
class Battery:
    name: str
    items: tuple[BatteryItem, ...]
    builtin: bool = False

    @property
    def keys(self) -> list[str]:
        return [item.key for item in self.items]

    @property
    def questions(self) -> list[str]:
        return [item.question for item in self.items]

    @property
    def fingerprint(self) -> str:
        """Identifies the questions asked: editing any question starts a fresh set of cells."""
        canonical = "\n".join(f"{item.key}\t{item.question}" for item in self.items)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _slug(text: str, limit: int = 40) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:limit].strip("_")


def _derive_key(question: str, taken: set[str]) -> str:
    """A column label from the question's first content words: "Which GPU was used?" -> "gpu_used"."""
    words = [w for w in re.findall(r"[a-z0-9]+", question.lower()) if w not in _KEY_STOPWORDS]
    base = "_".join(words[:3])[:32] or "q"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def make_battery(name: str, rows: Sequence[tuple[str, str]], builtin: bool = False) -> Battery:
    """Validate (key, question) rows; an empty key is derived from the question."""
    name = " ".join(name.split())
    if not name:
        raise BatteryError("A battery needs a name.")
    if len(name) > MAX_NAME_CHARS:
        raise BatteryError(f"The battery name is longer than {MAX_NAME_CHARS} characters.")
    items: list[BatteryItem] = []
    taken: set[str] = set()
    for number, (raw_key, raw_question) in enumerate(rows, start=1):
        question = " ".join(raw_question.split())
        key = raw_key.strip() or _derive_key(question, taken)
        if not question:
            raise BatteryError(f"Question {number} ({key}) is empty.")
        if len(question) > MAX_QUESTION_CHARS:
            raise BatteryError(f"Question {number} ({key}) is longer than {MAX_QUESTION_CHARS} characters.")
        if not _KEY.match(key):
            raise BatteryError(
                f"Question {number}: the key {key!r} must be up to 40 letters, digits, '_', '-' or '.', without spaces."
            )
        if key in taken:
            raise BatteryError(f"Question {number}: the key {key!r} is used twice.")
        taken.add(key)
        items.append(BatteryItem(key, question))
    if not items:
        raise BatteryError("The battery has no questions.")
    if len(items) > MAX_ITEMS:
        raise BatteryError(f"The battery has {len(items)} questions; the limit is {MAX_ITEMS}.")
    return Battery(name, tuple(items), builtin)


def parse_battery_text(text: str, name: str = "", builtin: bool = False) -> Battery:
    """One question per line, optionally "key: question"; '#' lines are comments, "# name: X" names it."""
    rows: list[tuple[str, str]] = []
    for line in text.splitlines():
        line = line.strip()
        header = _NAME_HEADER.match(line)
        if header and not name:
            name = header.group(1)
        if not line or line.startswith("#"):
            continue
        keyed = _KEYED_LINE.match(line)
        rows.append((keyed.group(1), keyed.group(2)) if keyed else ("", line))
    return make_battery(name, rows, builtin)


def parse_battery_csv(text: str, name: str) -> Battery:
    """Rows of key,question (a header row "key,question" is optional); a one-column row is a question."""
    rows: list[tuple[str, str]] = []
    for number, row in enumerate(csv.reader(io.StringIO(text))):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if number == 0 and [c.lower() for c in cells[:2]] == ["key", "question"]:
            continue
        rows.append(("", cells[0]) if len(cells) == 1 else (cells[0], ",".join(cells[1:])))
    return make_battery(name, rows)


def parse_battery_file(filename: str, data: bytes | str) -> Battery:
    """An uploaded or given file: CSV by extension, plain text otherwise; named after the file if unnamed."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    stem = Path(filename).stem.replace("_", " ").strip()
    if filename.lower().endswith(".csv"):
        return parse_battery_csv(text, stem)
    named = any(_NAME_HEADER.match(line.strip()) for line in text.splitlines())
    return parse_battery_text(text, "" if named else stem)


def battery_to_text(battery: Battery) -> str:
    lines = [f"# name: {battery.name}"] + [f"{item.key}: {item.question}" for item in battery.items]
    return "\n".join(lines) + "\n"


def battery_to_csv(battery: Battery) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["key", "question"])
    writer.writerows([item.key, item.question] for item in battery.items)
    return buffer.getvalue()


def builtin_batteries() -> list[Battery]:
    return [parse_battery_text(p.read_text(), builtin=True) for p in sorted(BUILTIN_DIR.glob("*.txt"))]


def builtin_battery(name: str = DEFAULT_BATTERY) -> Battery:
    return next(b for b in builtin_batteries() if b.name == name)


def user_battery_dir(settings: Settings) -> Path:
    return settings.data_dir / "batteries"


def user_batteries(settings: Settings) -> list[Battery]:
    folder = user_battery_dir(settings)
    return [parse_battery_text(p.read_text()) for p in sorted(folder.glob("*.txt"))] if folder.is_dir() else []


def all_batteries(settings: Settings) -> list[Battery]:
    return builtin_batteries() + user_batteries(settings)


def save_battery(settings: Settings, battery: Battery) -> Path:
    """Store a user battery (same name = same file, replaced atomically); built-in names are reserved."""
    if any(_slug(b.name) == _slug(battery.name) for b in builtin_batteries()):
        raise BatteryError(f"{battery.name!r} is a built-in battery; save your version under another name.")
    folder = user_battery_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_slug(battery.name) or 'battery'}.txt"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(battery_to_text(battery))
    tmp.replace(path)
    return path


def delete_battery(settings: Settings, name: str) -> bool:
    path = user_battery_dir(settings) / f"{_slug(name)}.txt"
    if not path.is_file():
        return False
    path.unlink()
    return True


def resolve_battery(spec: str, settings: Settings) -> Battery:
    """A battery by name (built-in or saved, case-insensitive, or the built-in file's stem) or a file path."""
    wanted = _slug(spec)
    for battery in all_batteries(settings):
        if _slug(battery.name) == wanted:
            return battery
    for path in BUILTIN_DIR.glob("*.txt"):
        if _slug(path.stem) == wanted:
            return parse_battery_text(path.read_text(), builtin=True)
    path = Path(spec)
    if path.is_file():
        return parse_battery_file(path.name, path.read_bytes())
    names = ", ".join(repr(b.name) for b in all_batteries(settings))
    raise BatteryError(f"No battery or file {spec!r}. Known batteries: {names}.")
