"""The conversation with a family after a reply: which child and which absences the reply is
about, when to ask ("Répondez 1 pour Léa, 2 pour Hugo"), how to read the answer, and when to
acknowledge — pure rules over plain values (the service keeps the state in the database).

- A reply that names one child with open absences is about that child; a family with one
  child with open absences needs no question; several, none named: the family is asked, the
  question lasts a day (:data:`QUESTION_LIFETIME`), and its answer ("1", "le 2", "Hugo") is
  read with :func:`read_choice`.
- An acknowledgement goes once per conversation and day, never to a message that looks
  automatic (an auto-responder answering our acknowledgement would loop), and at most
  :data:`ACKS_PER_NUMBER_AND_DAY` times a day to one number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.rules.replies import fold, named_children

QUESTION_LIFETIME = timedelta(days=1)
ACKS_PER_NUMBER_AND_DAY = 3
MAX_CHOICES = 9  # one digit to answer


@dataclass(frozen=True, slots=True)
class Child:
    """A child of the family as the conversation sees it: open absences, most recent first."""

    student_id: int
    first_name: str
    open_events: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Question:
    """A question asked to a family: the children in the order of their numbers."""

    choices: tuple[int, ...]  # student ids
    asked_at: datetime

    def open_at(self, now: datetime) -> bool:
        return now - self.asked_at < QUESTION_LIFETIME


@dataclass(frozen=True, slots=True)
class Attach:
    """The reply is about this child's open absences (none: the CPE chooses)."""

    student_id: int
    event_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Ask:
    """Ask the family which child: ``choices`` numbered from 1."""

    choices: tuple[Child, ...]


@dataclass(frozen=True, slots=True)
class Keep:
    """Nothing to attach it to: the reply waits for the CPE as it is."""


Decision = Attach | Ask | Keep


def decide(
    text: str, children: Sequence[Child], pending: Question | None, now: datetime
) -> Decision:
    """What to do with a reply from a family with these children (see the module)."""
    concerned = [c for c in children if c.open_events]
    if pending is not None and pending.open_at(now):
        chosen = read_choice(text, pending, children)
        if chosen is not None:
            return _attach(chosen)
    named = named_children(fold(text), [c.first_name for c in concerned])
    if len(set(named)) == 1:
        return _attach(next(c for c in concerned if c.first_name == named[0]))
    if len(concerned) == 1:
        return _attach(concerned[0])
    if len(concerned) > 1:
        return Ask(tuple(concerned[:MAX_CHOICES]))
    return Keep()


def _attach(child: Child) -> Attach:
    return Attach(child.student_id, child.open_events)


def read_choice(text: str, question: Question, children: Sequence[Child]) -> Child | None:
    """The child an answer to ``question`` picks: its number ("1", "le 2", "2️⃣") or its first
    name; None when the answer picks none or several."""
    by_id = {c.student_id: c for c in children}
    options = [by_id[i] for i in question.choices if i in by_id]
    folded = fold(text.replace("\ufe0f\u20e3", ""))
    numbers = set(re.findall(r"\b(\d{1,2})\b", folded))
    if len(numbers) == 1:
        number = int(numbers.pop())
        return options[number - 1] if 1 <= number <= len(options) else None
    named = set(named_children(folded, [c.first_name for c in options]))
    if len(named) == 1:
        name = named.pop()
        return next(c for c in options if c.first_name == name)
    return None


AUTOMATIC = (
    "repondeur",
    "reponse automatique",
    "message automatique",
    "absent du bureau",
    "actuellement absent",
    "ne pas repondre",
    "merci de ne pas repondre",
    "out of office",
    "automatic reply",
    "auto reply",
    "autoreply",
    "do not reply",
    "noreply",
    "no reply",
)


def looks_automatic(text: str) -> bool:
    """An auto-responder's message (never acknowledged: two robots would talk forever)."""
    folded = fold(text)
    return any(marker in folded for marker in AUTOMATIC)


def may_acknowledge(
    text: str, *, acknowledged_today: bool, acknowledgements_to_number_today: int
) -> bool:
    """Whether to thank the family for this reply (once per conversation and day, never an
    auto-responder, at most :data:`ACKS_PER_NUMBER_AND_DAY` a day to one number)."""
    return (
        not acknowledged_today
        and acknowledgements_to_number_today < ACKS_PER_NUMBER_AND_DAY
        and not looks_automatic(text)
    )
