"""Reading a family's reply in French: which national generic reason it gives, how sure the
reading is, which child and which days it names, or whether it asks to stop the messages.

Parents write as they write an SMS: without accents, in capitals, with typos ("malde",
"fievre", "enterement"), abbreviations ("rdv", "pcq", "auj"), emojis (🤒), several sentences,
and negations ("il n'est pas malade, c'est une panne de voiture"). The reading is a pure
function over the text (no network, no model):

1. The text is folded (lowercase, accents and emojis turned into words, SMS spellings
   expanded) and cut into clauses (sentences, "mais", "car", "parce que"…).
2. Words that look like a word of the lexicon are corrected with rapidfuzz, then reduced to
   their stem (Snowball's French stemmer), so "malade", "maladie" and "malades" are one cue.
3. Each clause scores the generic reasons whose cues it holds; a cue under a negation ("pas",
   "plus", "jamais"…, a few words before it) does not count, unless the negation is part of the
   cue ("pas de bus", "ne se sent pas bien").
4. The best reason wins with a confidence that grows with its score and falls when another
   reason comes close. A reply that is only a STOP word opts out; a reply that is only thanks or
   an acknowledgement says so; anything else keeps its text for the CPE with no reason.

:func:`school_reason` then picks, among a school's own reasons, the one to propose.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cache

from rapidfuzz import fuzz, process
from snowballstemmer import stemmer

from core.rules.reply_words import (
    COMMON,
    CONTAGIOUS,
    CUES,
    EMOJIS,
    FAMILY,
    FUTURE,
    MONTHS,
    OPT_OUT_PHRASES,
    PAST,
    RELATIVE,
    SMS,
    START_WORDS,
    STOP_WORDS,
    THANKS,
    WEEKDAYS,
)


class Intent(StrEnum):
    REASON = "reason"  # a reason was read (``generic``)
    NONE = "none"  # no reason read: the text is kept for the CPE
    THANKS = "thanks"  # only thanks or an acknowledgement ("ok merci", "bien reçu")
    OPT_OUT = "opt_out"  # STOP, ARRET…: no more messages to this number
    OPT_IN = "opt_in"  # START…: messages again


@dataclass(frozen=True, slots=True)
class Reading:
    intent: Intent
    generic: str | None = None  # a national generic code (MALADIE, TRANSPORT…)
    confidence: float = 0.0  # 0–1
    children: tuple[str, ...] = ()  # the first names of the given children it names, in order
    days: tuple[date, ...] = ()  # the days it names ("demain", "lundi", "12/03")
    scores: dict[str, float] = field(default_factory=dict)  # every reason's score, to explain


# ---------------------------------------------------------------- folding the text

CLAUSE_BREAKS = re.compile(
    r"[.!?;\n]+|,|\b(?:mais|par contre|en fait|c est plutot|parce que|car(?! scolaire)|puisque)\b"
)
NEGATIONS = frozenset({"pas", "plus", "jamais", "aucun", "aucune", "rien", "non", "ni", "sans"})
NEGATION_REACH = 4  # a negation a few words before a cue cancels it


def fold(text: str) -> str:
    """Lowercase, emojis as words, no accents, apostrophes and hyphens as spaces."""
    for emoji, meaning in EMOJIS.items():
        text = text.replace(emoji, meaning)
    plain = unicodedata.normalize("NFKD", text.lower().replace("œ", "oe").replace("æ", "ae"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    plain = re.sub(r"[’'`´\-_]", " ", plain)
    plain = re.sub(r"[^\w\s.!?;,\n/]", " ", plain)
    plain = re.sub(r"([.!?;,\n])[.!?;,\n \t]*", r" \1 ", plain)
    plain = re.sub(r"(\w)\1{2,}", r"\1", plain)  # "maladeee" → "malade"
    words = [SMS.get(w, w) for w in re.split(r"[ \t]+", plain)]
    return " ".join(w for w in words if w)


def clauses(folded: str) -> list[list[str]]:
    return [part.split() for part in CLAUSE_BREAKS.split(folded) if part and part.strip()]


# ---------------------------------------------------------------- the lexicon

_STEMMER = stemmer("french")


@cache
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


@cache
def _vocabulary() -> tuple[str, ...]:
    """Every word the cues use (folded), for correcting typos."""
    words = {w.lstrip("=") for cues in CUES.values() for phrase, _ in cues for w in phrase.split()}
    return tuple(sorted(w for w in words if len(w) >= 5))


@cache
def correct(word: str) -> str:
    """A word of the lexicon the word is a typo of ("malde" → "malade"), else the word."""
    if len(word) < 5 or not word.isalpha() or word in COMMON:
        return word
    vocabulary = _vocabulary()
    if word in vocabulary:
        return word
    found = process.extractOne(word, vocabulary, scorer=fuzz.ratio, score_cutoff=84)
    return word if found is None else str(found[0])


def _cue_word(word: str) -> str:
    """How a word of a cue is compared: its stem, or itself marked "=" ("=aid")."""
    return word if word.startswith("=") else stem(word)


@cache
def _cue_stems() -> dict[str, tuple[tuple[tuple[str, ...], float], ...]]:
    return {
        code: tuple(
            (tuple(_cue_word(w) for w in phrase.split()), weight) for phrase, weight in cues
        )
        for code, cues in CUES.items()
    }


def _same(words: Sequence[str], stems: Sequence[str], at: int, part: str) -> bool:
    return words[at] == part[1:] if part.startswith("=") else stems[at] == part


def _find(
    words: Sequence[str], stems: Sequence[str], cue: tuple[str, ...]
) -> list[tuple[int, int]]:
    """Where the phrase occurs: (first index, last index), at most one word between two."""
    found = []
    for start in range(len(stems)):
        if not _same(words, stems, start, cue[0]):
            continue
        at, ok = start, True
        for part in cue[1:]:
            if at + 1 < len(stems) and _same(words, stems, at + 1, part):
                at += 1
            elif at + 2 < len(stems) and _same(words, stems, at + 2, part):
                at += 2
            else:
                ok = False
                break
        if ok:
            found.append((start, at))
    return found


@cache
def _ordered_cues() -> tuple[tuple[str, tuple[str, ...], float, bool], ...]:
    """(code, cue, weight, holds a negation), longer cues first, so that "pas de bus" is read
    before "bus" and its "pas" is no negation."""
    negations = {stem(n) for n in NEGATIONS}
    cues = [
        (code, cue, weight, bool(negations & set(cue)))
        for code, cues in _cue_stems().items()
        for cue, weight in cues
    ]
    return tuple(sorted(cues, key=lambda item: -len(item[1])))


def _negated(words: Sequence[str], start: int) -> bool:
    """A negation shortly before the cue ("n est pas malade")."""
    window = words[max(0, start - NEGATION_REACH) : start]
    return any(w in NEGATIONS for w in window)


def _clause_scores(words: list[str], names: frozenset[str]) -> dict[str, float]:
    corrected = ["" if w in names else correct(w) for w in words]
    stems = [stem(w) for w in corrected]
    scores: dict[str, float] = {}
    used: set[int] = set()
    present = set(stems) | set(corrected)
    for code, cue, weight, holds_negation in _ordered_cues():
        if cue[0].lstrip("=") not in present:
            continue
        for start, end in _find(corrected, stems, cue):
            span = set(range(start, end + 1))
            if span & used:
                continue
            used |= span
            if not holds_negation and _negated(corrected, start):
                continue
            scores[code] = scores.get(code, 0.0) + weight
    family = any(w in FAMILY for w in corrected[:4]) or (  # "son frère a…"
        "MALADIE_FAMILLE" in scores and any(w in FAMILY for w in corrected)
    )
    if "MALADIE" in scores and family:
        contagious = bool(CONTAGIOUS & set(corrected))
        illness = scores.pop("MALADIE")
        scores["MALADIE_FAMILLE"] = scores.get("MALADIE_FAMILLE", 0.0) + (
            illness if contagious else illness * 0.5
        )
    return scores


def _confidence(best: float, second: float) -> float:
    strength = best / (best + 0.45)
    margin = 1.0 if second <= 0 else max(0.0, (best - second) / best)
    return round(min(1.0, strength * (0.5 + 0.5 * margin)), 2)


# ---------------------------------------------------------------- children and days


def named_children(folded: str, children: Iterable[str]) -> tuple[str, ...]:
    """The given first names the text names (typos forgiven), in the order it names them."""
    words = folded.split()
    found: list[tuple[int, str]] = []
    for name in children:
        parts = fold(name).split()
        if not parts:
            continue
        for index in range(len(words) - len(parts) + 1):
            window = words[index : index + len(parts)]
            close = all(
                w == p or (len(p) >= 4 and fuzz.ratio(w, p) >= 80)
                for w, p in zip(window, parts, strict=True)
            )
            if close:
                found.append((index, name))
                break
    return tuple(name for _, name in sorted(found))


def named_days(folded: str, today: date) -> tuple[date, ...]:
    """The days the text names: relative words, weekdays (the past one when the text speaks
    of the past, else the next one), "12/03" and "12 mars"."""
    days: list[date] = []
    padded = f" {folded} "
    for phrase, offset in RELATIVE.items():
        if f" {phrase} " in padded:
            days.append(today + timedelta(days=offset))
    words = folded.split()
    future = bool(FUTURE & set(words)) and not PAST & set(words)
    for word in words:
        if word in WEEKDAYS:  # a reply speaks of the absence: the last such day, unless future
            ahead = (WEEKDAYS.index(word) - today.weekday()) % 7
            days.append(
                today + timedelta(days=ahead) if future else today - timedelta(days=(7 - ahead) % 7)
            )
    for match in re.finditer(r"\b(\d{1,2})\s*[./]\s*(\d{1,2})(?:\s*[./]\s*(\d{2,4}))?\b", folded):
        days.extend(_a_date(today, int(match[1]), int(match[2]), match[3]))
    for match in re.finditer(rf"\b(\d{{1,2}})(?:er)?\s+({'|'.join(MONTHS)})\b", folded):
        days.extend(_a_date(today, int(match[1]), MONTHS.index(match[2]) + 1, None))
    return tuple(dict.fromkeys(days))


def _a_date(today: date, day: int, month: int, year: str | None) -> list[date]:
    number = today.year if year is None else int(year) + (2000 if len(year) == 2 else 0)
    try:
        found = date(number, month, day)
    except ValueError:
        return []
    if year is None and (found - today).days > 180:
        found = found.replace(year=number - 1)
    return [found]


# ---------------------------------------------------------------- the reading


def read_reply(text: str, *, children: Iterable[str] = (), today: date | None = None) -> Reading:
    """What a family's reply says (see the module's docstring)."""
    folded = fold(text)
    words = re.sub(r"[.!?;,]", " ", folded).split()
    names = named_children(folded, children)
    days = named_days(folded, today) if today is not None else ()
    polite = {"sms", "svp", "merci", "s", "il", "vous", "plait"}
    if words and set(words) <= STOP_WORDS | polite and STOP_WORDS & set(words):
        return Reading(Intent.OPT_OUT, confidence=1.0)
    if words and set(words) <= START_WORDS | {"sms", "svp", "merci"} and START_WORDS & set(words):
        return Reading(Intent.OPT_IN, confidence=1.0)
    name_words = frozenset(w for name in names for w in fold(name).split())
    scores: dict[str, float] = {}
    for clause in clauses(folded):
        for code, score in _clause_scores(clause, name_words).items():
            scores[code] = scores.get(code, 0.0) + score
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    if ranked and ranked[0][1] >= 0.35:
        best, second = ranked[0][1], ranked[1][1] if len(ranked) > 1 else 0.0
        return Reading(Intent.REASON, ranked[0][0], _confidence(best, second), names, days, scores)
    if any(phrase in folded for phrase in OPT_OUT_PHRASES):
        return Reading(Intent.OPT_OUT, confidence=0.6, children=names, days=days)
    if words and set(words) - name_words <= THANKS and {"merci", "ok", "recu", "note"} & set(words):
        return Reading(Intent.THANKS, confidence=0.9, children=names, days=days)
    return Reading(Intent.NONE, children=names, days=days, scores=scores)


def opt_intent(text: str) -> Intent | None:
    """OPT_OUT or OPT_IN when the reply is only STOP or START (or a variant, with "merci",
    "svp"…), else None; cheap for any other reply (no reading when none of those words is
    there)."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    words = set(re.findall(r"[a-z]+", "".join(c for c in plain if not unicodedata.combining(c))))
    if len(words) > 6 or not words & (STOP_WORDS | START_WORDS):
        return None
    reading = read_reply(text)
    if reading.intent in (Intent.OPT_OUT, Intent.OPT_IN) and reading.confidence >= 1:
        return reading.intent
    return None


@dataclass(frozen=True, slots=True)
class ReasonChoice:
    """A school's reason as the reading sees it."""

    id: int
    generic: str
    code: str
    parents_may_choose: bool = True
    for_absence: bool = True
    for_lateness: bool = False


def school_reason(
    reading: Reading, reasons: Sequence[ReasonChoice], *, lateness: bool = False
) -> ReasonChoice | None:
    """The school's reason to propose for a reading: one under the read generic reason, for
    the event's kind, the one named like the generic code first, then one parents may choose."""
    if reading.intent != Intent.REASON or reading.generic is None:
        return None
    fitting = [
        r
        for r in reasons
        if r.generic == reading.generic and (r.for_lateness if lateness else r.for_absence)
    ]
    if not fitting:
        return None
    return min(fitting, key=lambda r: (r.code != r.generic, not r.parents_may_choose, r.id))
