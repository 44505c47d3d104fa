"""Type-ahead matching of villages, topics and referral targets.

Two or three letters are enough: "bov" finds Bovensmilde, "hoog" offers Hoogersmilde and
Hooghalen, "n-b" and "nieuw" find Nieuw-Balinge, "schulden" finds Financiën through its
search words. Matching ignores case and accents. Better matches come first: the whole
name, then the start of the name, the start of a word in it, the initials of its words,
and last the start of one of its extra search words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from balie.domain.text import fold

T = TypeVar("T")

_WORD_SPLIT = re.compile(r"[\s\-/'.,()]+")
_STOPWORDS = frozenset({"en", "de", "het", "van", "'t"})


@dataclass(frozen=True)
class Candidate(Generic[T]):
    """Something that can be chosen, with the words it can be found by."""

    value: T
    name: str
    aliases: str = ""
    # Folded forms, computed once: matching runs on every keystroke.
    folded: str = field(init=False, repr=False, compare=False)
    words: tuple[str, ...] = field(init=False, repr=False, compare=False)
    content_words: tuple[str, ...] = field(init=False, repr=False, compare=False)
    alias_words: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        words = tuple(_words(self.name))
        object.__setattr__(self, "folded", fold(self.name))
        object.__setattr__(self, "words", words)
        object.__setattr__(self, "content_words",
                           tuple(w for w in words if w not in _STOPWORDS))
        object.__setattr__(self, "alias_words", tuple(_words(self.aliases)))


def _words(text: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(fold(text)) if w]


def _initials_match(parts: list[str], words: tuple[str, ...]) -> bool:
    """"n-b" -> ["n", "b"] matches the words "nieuw", "balinge" (each part a word's start)."""
    if len(parts) < 2 or len(parts) > len(words):
        return False
    return all(word.startswith(part) for part, word in zip(parts, words))


def rank(query: str, candidates: Sequence[Candidate[T]]) -> list[Candidate[T]]:
    """Candidates that match ``query``, best first; ties keep the given order."""
    q = fold(query)
    if not q:
        return []
    parts = [p for p in _WORD_SPLIT.split(q) if p]
    if len(parts) == 1 and 2 <= len(q) <= 4 and q.isalpha():
        initials = list(q)  # "nb" as the initials of Nieuw-Balinge
    else:
        initials = parts
    scored: list[tuple[int, int, Candidate[T]]] = []
    for index, candidate in enumerate(candidates):
        name = candidate.folded
        if name == q:
            tier = 0
        elif name.startswith(q):
            tier = 1
        elif any(w.startswith(q) for w in candidate.content_words):
            tier = 2
        elif _initials_match(parts, candidate.words) or _initials_match(
            initials, candidate.content_words
        ):
            tier = 3
        elif any(w.startswith(q) for w in candidate.alias_words) or q in candidate.alias_words:
            tier = 4
        else:
            continue
        scored.append((tier, index, candidate))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [candidate for _, _, candidate in scored]


@dataclass(frozen=True)
class Resolution(Generic[T]):
    """The outcome of resolving typed text to exactly one candidate."""

    chosen: Candidate[T] | None
    options: tuple[Candidate[T], ...]
    """All matches, best first: shown as the type-ahead list."""

    @property
    def ambiguous(self) -> bool:
        return self.chosen is None and len(self.options) > 1


def resolve(query: str, candidates: Sequence[Candidate[T]]) -> Resolution[T]:
    """One candidate if the text identifies it: an exact name, or a single match.

    When several match but one is clearly better (a whole name, or the only one whose
    name starts with the text), that one is chosen.
    """
    options = rank(query, candidates)
    if not options:
        return Resolution(None, ())
    q = fold(query)
    exact = [c for c in options if c.folded == q]
    if len(exact) == 1 or len(options) == 1:
        return Resolution(exact[0] if exact else options[0], tuple(options))
    prefixed = [c for c in options if c.folded.startswith(q)]
    if len(prefixed) == 1:
        return Resolution(prefixed[0], tuple(options))
    return Resolution(None, tuple(options))


_SEPARATORS = re.compile(r"[,;+]+")


def _is_number(text: str) -> bool:
    """Plain digits 0-9 only ("²" is a digit to str.isdigit, not to a person)."""
    return text.isascii() and text.isdigit()


@dataclass(frozen=True)
class MultiResolution(Generic[T]):
    """Several choices typed in one field ("fin, wonen" or "1 2")."""

    chosen: tuple[Candidate[T], ...]
    unresolved: tuple[tuple[str, tuple[Candidate[T], ...]], ...]
    """Typed pieces that did not resolve to one choice, with their options (maybe none)."""


def resolve_many(text: str, candidates: Sequence[Candidate[T]]) -> MultiResolution[T]:
    """Resolve a list of choices: separated by commas, or by spaces between single words.

    A number chooses by position (1 is the first candidate). A piece of several words
    that names one candidate as a whole ("zorg en wmo") is taken as one choice.
    """
    chosen: list[Candidate[T]] = []
    unresolved: list[tuple[str, tuple[Candidate[T], ...]]] = []

    def add(candidate: Candidate[T]) -> None:
        if candidate not in chosen:
            chosen.append(candidate)

    for segment in (s.strip() for s in _SEPARATORS.split(text)):
        if not segment:
            continue
        whole = resolve(segment, candidates) if not _is_number(segment) else None
        if whole is not None and whole.chosen is not None and " " in segment:
            add(whole.chosen)
            continue
        for token in segment.split():
            if _is_number(token):
                # A long row of digits is no position (and int() refuses thousands of them).
                position = int(token) if len(token) <= 6 else 0
                if 1 <= position <= len(candidates):
                    add(candidates[position - 1])
                else:
                    unresolved.append((token, ()))
                continue
            if fold(token) in _STOPWORDS:
                continue
            result = resolve(token, candidates)
            if result.chosen is not None:
                add(result.chosen)
            else:
                unresolved.append((token, result.options))
    return MultiResolution(tuple(chosen), tuple(unresolved))
