"""Finding entries of the sociale kaart on every key: in the form and on the kaart.

The look-up takes the inquiry's topics and village as its *context*: entries that help
with one of the topics in that village come first, then those that serve the village,
then the rest. Typed words narrow the list: every word must start a word of the entry
(its name, what it offers, its topics and their search words, its own search words);
accents and case do not count, and initials work as in the other type-ahead fields
("vnn", "h t"). Entries whose name matches come before those that match by other words.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from balie.domain.models import DirectoryEntry, Reference
from balie.domain.parsing import InvalidInput
from balie.domain.text import fold

_WORD_SPLIT = re.compile(r"[\s\-/'.,;:()—–&+!?\"]+")
_STOPWORDS = frozenset({"en", "de", "het", "van", "een", "voor", "met", "in", "op", "of",
                        "'t", "te", "bij", "aan", "die", "dat", "om"})


@dataclass(frozen=True)
class Context:
    """What the form knows about the inquiry: its topics and village."""

    topic_ids: frozenset[int] = frozenset()
    village_id: int | None = None

    def rank(self, entry: DirectoryEntry) -> int:
        """0: helps with a topic of the inquiry in its village (or no topic chosen yet);
        1: serves the village; 2: does not serve the village."""
        if not entry.serves(self.village_id):
            return 2
        if self.topic_ids and not self.topic_ids & set(entry.topic_ids):
            return 1
        return 0


NO_CONTEXT = Context()


def _words(text: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(fold(text)) if w]


@dataclass
class _Item:
    entry: DirectoryEntry
    position: int
    folded: str
    words: tuple[str, ...]
    content: tuple[str, ...]
    topics: frozenset[int]
    villages: frozenset[int]

    def rank(self, context: Context) -> int:
        """:meth:`Context.rank`, on sets made once."""
        if self.villages and context.village_id is not None \
                and context.village_id not in self.villages:
            return 2
        if context.topic_ids and not context.topic_ids & self.topics:
            return 1
        return 0


class _Words:
    """A sorted word list with, per word, the positions of the entries it occurs in:
    the entries with a word that starts with a typed piece are one range of it."""

    def __init__(self, occurrences: dict[str, set[int]]) -> None:
        self.vocabulary = sorted(occurrences)
        self.postings = [frozenset(occurrences[w]) for w in self.vocabulary]

    def starting(self, part: str) -> set[int]:
        found: set[int] = set()
        for index in range(bisect_left(self.vocabulary, part), len(self.vocabulary)):
            if not self.vocabulary[index].startswith(part):
                break
            found |= self.postings[index]
        return found


SEARCH_CACHE = 256
"""Searches remembered per index: the form's type-ahead and its interpretation ask the
same question on one key, and the kaart screen asks it again."""


class DirectoryIndex:
    """The entries prepared for look-ups on every key: folded names, and word lists
    (of the names, and of everything an entry is found by) so that a typed word's
    matches are found without a pass over every entry."""

    def __init__(self, items: list[_Item], names: _Words, searchable: _Words) -> None:
        self.items = items
        self.names = names
        self.searchable = searchable
        self._cache: dict[tuple[str, Context], list[DirectoryEntry]] = {}

    @classmethod
    def build(cls, entries: Sequence[DirectoryEntry], reference: Reference) -> DirectoryIndex:
        items: list[_Item] = []
        name_words: dict[str, set[int]] = {}
        occurrences: dict[str, set[int]] = {}
        topic_words = {t.id: set(_words(f"{t.name} {t.aliases}")) for t in reference.topics.all}
        for position, entry in enumerate(entries):
            words = tuple(_words(entry.name))
            items.append(_Item(entry, position, fold(entry.name), words,
                               tuple(w for w in words if w not in _STOPWORDS),
                               frozenset(entry.topic_ids), frozenset(entry.village_ids)))
            for word in words:
                name_words.setdefault(word, set()).add(position)
            found = set(words) | set(_words(f"{entry.offers} {entry.aliases}"))
            for topic in entry.topic_ids:
                found |= topic_words.get(topic, set())
            for word in found - _STOPWORDS:
                occurrences.setdefault(word, set()).add(position)
        return cls(items, _Words(name_words), _Words(occurrences))

    def search(self, query: str, context: Context = NO_CONTEXT) -> list[DirectoryEntry]:
        """Entries matching ``query``, best first (see the module's docstring); all of
        them, in context order, for an empty query. (The list is shared: not to be
        changed.)"""
        return self._found(query, context)[0]

    def resolve(self, query: str, context: Context = NO_CONTEXT
                ) -> tuple[DirectoryEntry | None, list[DirectoryEntry]]:
        """The one entry ``query`` names, if it does (its whole name; the only match;
        the only name that starts with it), and every match, best first."""
        found, exact, prefixed = self._found(query, context)
        one = exact or (found[0] if len(found) == 1 else None) or (
            prefixed[0] if len(prefixed) == 1 else None)
        return one, found

    def _found(self, query: str, context: Context
               ) -> tuple[list[DirectoryEntry], DirectoryEntry | None, list[DirectoryEntry]]:
        q = fold(query)
        key = (q, context)
        if key not in self._cache:
            if len(self._cache) >= SEARCH_CACHE:
                self._cache.clear()
            self._cache[key] = self._search(q, context)
        return self._cache[key]

    def _all_starting(self, pieces: list[str]) -> set[int]:
        """Entries with, for each piece, a word of their name that starts with it."""
        found: set[int] | None = None
        for piece in dict.fromkeys(pieces):
            starting = self.names.starting(piece)
            found = starting if found is None else found & starting
            if not found:
                return set()
        return found or set()

    def _search(self, q: str, context: Context
                ) -> tuple[list[DirectoryEntry], DirectoryEntry | None, list[DirectoryEntry]]:
        """(matches best first, the match of the whole name, matches whose name starts
        with ``q``)."""
        parts = [p for p in _WORD_SPLIT.split(q) if p]
        if not parts:
            ranked = sorted(self.items, key=lambda i: (i.rank(context), i.position))
            return [item.entry for item in ranked], None, []
        matching: set[int] | None = None
        for part in parts:
            found = self.searchable.starting(part)
            matching = found if matching is None else matching & found
            if not matching:
                break
        matching = matching or set()
        # Initials ("vnn", "cjg", "h t") can match names whose words are not searchable.
        initials = list(q) if len(parts) == 1 and 2 <= len(q) <= 4 and q.isalpha() \
            else parts
        # A name matches only if every typed word (or, for initials, every letter)
        # starts one of its words: only those names are looked at one by one.
        named = self._all_starting(parts)
        if initials is not parts:
            named |= self._all_starting(initials)
        scored = []
        for position in named:
            item = self.items[position]
            tier = _name_tier(item, q, parts, initials)
            if tier is not None:
                scored.append((0, item.rank(context), tier, position))
            elif position in matching:
                scored.append((1, item.rank(context), 4, position))
        items = self.items
        scored += [(1, items[position].rank(context), 4, position)
                   for position in matching - named]
        scored.sort()
        entries = [self.items[s[3]].entry for s in scored]
        exact = next((self.items[s[3]].entry for s in scored if s[2] == 0), None)
        prefixed = [self.items[s[3]].entry for s in scored if s[2] <= 1]
        return entries, exact, prefixed


def _name_tier(item: _Item, q: str, parts: list[str], initials: list[str]) -> int | None:
    if item.folded == q:
        return 0
    if item.folded.startswith(q):
        return 1
    if all(any(w.startswith(p) for w in item.words) for p in parts):
        return 2
    if _initials(parts, item.words) or _initials(initials, item.content):
        return 3
    return None


def _initials(parts: list[str], words: tuple[str, ...]) -> bool:
    if len(parts) < 2 or len(parts) > len(words):
        return False
    return all(word.startswith(part) for part, word in zip(parts, words))


_index_cache: dict[bool, tuple[Reference, DirectoryIndex]] = {}


def directory_index(reference: Reference, retired: bool = False) -> DirectoryIndex:
    """The look-up of a loaded reference, built once: active entries, or (``retired``,
    for a correction of an old registration) all of them, the retired ones last."""
    cached = _index_cache.get(retired)
    if cached and cached[0] is reference:
        return cached[1]
    entries = [*reference.directory.active,
               *(e for e in reference.directory.all if e.retired and retired)]
    index = DirectoryIndex.build(entries, reference)
    _index_cache[retired] = (reference, index)
    return index


# --- several entries in one field -------------------------------------------------------

MAX_OPTIONS = 20
"""Options offered for a piece that is not one entry yet: the best ones (typing more
narrows them; nobody reads on to the hundredth)."""


@dataclass(frozen=True)
class Picked:
    """What the referral field names: the entries found, and the pieces that are not
    (yet) one entry, with the best matches for each."""

    chosen: tuple[DirectoryEntry, ...]
    unresolved: tuple[tuple[str, tuple[DirectoryEntry, ...]], ...]


def pick(text: str, index: DirectoryIndex, context: Context = NO_CONTEXT) -> Picked:
    """Entries typed in one field, separated by commas or semicolons: each piece is one
    entry when it is its whole name, or when it matches only one, or when only one
    entry's name starts with it."""
    chosen: list[DirectoryEntry] = []
    unresolved: list[tuple[str, tuple[DirectoryEntry, ...]]] = []
    for piece in (p.strip() for p in re.split(r"[,;]", text)):
        if not piece:
            continue
        one, options = index.resolve(piece, context)
        if one is not None:
            if one not in chosen:
                chosen.append(one)
        else:
            unresolved.append((piece, tuple(options[:MAX_OPTIONS])))
    return Picked(tuple(chosen), tuple(unresolved))


def last_piece(text: str) -> str:
    """The piece of the field being typed: after the last comma or semicolon."""
    return re.split(r"[,;]", text)[-1].strip()


def find_entry(reference: Reference, text: str) -> DirectoryEntry:
    """The entry a person names on the command line: its number, its whole name (case
    and accents do not count), or words that fit one entry only. InvalidInput says
    which entries fit when several do."""
    wanted = text.strip()
    if wanted.isascii() and wanted.isdigit() and len(wanted) < 10:
        entry = next((e for e in reference.directory.all if e.id == int(wanted)), None)
        if entry is None:
            raise InvalidInput(f"Nummer {wanted} staat niet op de sociale kaart.")
        return entry
    exact = reference.directory.named(wanted)
    if exact is not None:
        return exact
    found = directory_index(reference, retired=True).search(wanted)
    parts = _words(wanted)
    by_name = [e for e in found if all(any(w.startswith(p) for w in _words(e.name))
                                       for p in parts)]
    if len(found) == 1 or len(by_name) == 1:
        return (by_name or found)[0]
    if not found:
        raise InvalidInput(f"'{wanted}' staat niet op de sociale kaart (zie balie kaart list).")
    names = ", ".join(f"{e.name} (nr {e.id})" for e in found[:5])
    more = f" en nog {len(found) - 5}" if len(found) > 5 else ""
    raise InvalidInput(f"'{wanted}' past bij meer vermeldingen: {names}{more}. Geef de hele "
                       "naam of het nummer.")
