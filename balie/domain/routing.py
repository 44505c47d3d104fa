"""Routing suggestions from rules that live in data, not in screen code.

The rules are a small TOML document (see ``routing_rules.toml`` beside this module for
the default and its description). It is stored in the database, so all desks use the
same rules, and an administrator replaces it with ``balie rules load FILE`` after it
has been checked here against the reference data.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from balie.domain.models import Reference, Route, Topic, Village
from balie.domain.text import fold

RULE_KEYS = {"topics", "villages", "min_age", "max_age", "unknown_age", "route", "reason",
             "referral"}
URGENT_KEYS = {"topics", "reason"}
PLACEHOLDERS = ("{age}", "{topics}", "{village}")


def default_rules_text() -> str:
    """The rules a new database starts with."""
    return resources.files("balie.domain").joinpath("routing_rules.toml").read_text("utf-8")


class InvalidRules(ValueError):
    """The rules document cannot be used; ``problems`` lists every reason, in Dutch."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Rule:
    route: Route
    reason: str
    topic_ids: frozenset[int] = frozenset()
    village_ids: frozenset[int] = frozenset()
    min_age: int | None = None
    max_age: int | None = None
    unknown_age: bool = False
    referral_id: int | None = None

    def matches(self, village_id: int | None, age: int | None, topic_ids: frozenset[int]) -> bool:
        if self.topic_ids and not (self.topic_ids & topic_ids):
            return False
        if self.village_ids and village_id not in self.village_ids:
            return False
        if self.min_age is not None or self.max_age is not None:
            if age is None:
                return self.unknown_age
            if self.min_age is not None and age < self.min_age:
                return False
            if self.max_age is not None and age > self.max_age:
                return False
        return True


@dataclass(frozen=True)
class UrgentRule:
    topic_ids: frozenset[int]
    reason: str


@dataclass(frozen=True)
class Suggestion:
    """The suggested route and why, in words the desk can repeat to the caller."""

    route: Route
    reason: str
    referral_id: int | None = None


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    urgent: tuple[UrgentRule, ...]
    reference: Reference

    def suggest(
        self, village: Village | None, age: int | None, topics: tuple[Topic, ...]
    ) -> Suggestion | None:
        """The first rule that holds, or None when no topic is known yet."""
        if not topics:
            return None
        topic_ids = frozenset(t.id for t in topics)
        village_id = village.id if village else None
        for rule in self.rules:
            if rule.route.retired:  # no longer offered for new registrations
                continue
            if rule.matches(village_id, age, topic_ids):
                return Suggestion(rule.route, self._reason(rule, village, age, topics),
                                  rule.referral_id)
        return None

    def urgent_reason(self, topics: tuple[Topic, ...]) -> str | None:
        """Why these topics make an inquiry urgent, or None."""
        topic_ids = frozenset(t.id for t in topics)
        for rule in self.urgent:
            if rule.topic_ids & topic_ids:
                return rule.reason
        return None

    @staticmethod
    def _reason(rule: Rule, village: Village | None, age: int | None,
                topics: tuple[Topic, ...]) -> str:
        relevant = [t for t in topics if t.id in rule.topic_ids] or list(topics)
        names = [t.name.lower() for t in relevant]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
        return (
            rule.reason.replace("{age}", "?" if age is None else str(age))
            .replace("{topics}", listed)
            .replace("{village}", village.name if village else "?")
        )


def parse_rules(text: str, reference: Reference) -> RuleSet:
    """Check a rules document against the reference data; raise InvalidRules with all problems."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidRules([f"Het bestand is geen geldige TOML: {error}"]) from None
    except RecursionError:  # tomllib reads nested lists and tables recursively
        raise InvalidRules(["Het bestand is geen bruikbare TOML: lijsten of tabellen zijn te "
                            "diep in elkaar genest."]) from None
    problems: list[str] = []
    unknown_sections = set(document) - {"rule", "urgent"}
    if unknown_sections:
        problems.append(f"Onbekende onderdelen: {', '.join(sorted(unknown_sections))} "
                        "(alleen [[rule]] en [[urgent]] bestaan).")
    rules = tuple(
        rule
        for number, item in enumerate(_tables(document, "rule", problems), start=1)
        if (rule := _rule(item, number, reference, problems)) is not None
    )
    urgent = tuple(
        rule
        for number, item in enumerate(_tables(document, "urgent", problems), start=1)
        if (rule := _urgent(item, number, reference, problems)) is not None
    )
    if not rules and not problems:
        problems.append("Er staat geen enkele [[rule]] in het bestand.")
    if problems:
        raise InvalidRules(problems)
    return RuleSet(rules, urgent, reference)


def _tables(document: dict[str, Any], key: str, problems: list[str]) -> list[dict[str, Any]]:
    value = document.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        problems.append(f"'{key}' moet een lijst van [[{key}]]-blokken zijn.")
        return []
    return value


def _rule(item: dict[str, Any], number: int, ref: Reference, problems: list[str]) -> Rule | None:
    where = f"[[rule]] nummer {number}"
    before = len(problems)
    for key in sorted(set(item) - RULE_KEYS):
        problems.append(f"{where}: onbekende sleutel '{key}'.")
    route = _lookup(ref.routes.all, item.get("route"), "route", where, problems)
    reason = item.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        problems.append(f"{where}: 'reason' ontbreekt (de uitleg voor de balie).")
    topics = _lookup_many(ref.topics.all, item.get("topics", []), "onderwerp", where, problems)
    villages = _lookup_many(ref.villages.all, item.get("villages", []), "dorp", where, problems)
    ages = {}
    for key in ("min_age", "max_age"):
        value = item.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or not 0 <= value <= 120):
            problems.append(f"{where}: '{key}' moet een leeftijd van 0 tot 120 zijn.")
        else:
            ages[key] = value
    unknown_age = item.get("unknown_age", False)
    if not isinstance(unknown_age, bool):
        problems.append(f"{where}: 'unknown_age' is true of false.")
    referral = None
    if "referral" in item:
        referral = _lookup(ref.directory.all, item["referral"], "adres van de sociale kaart",
                           where, problems)
        if route is not None and route.kind != "external":
            problems.append(f"{where}: 'referral' hoort alleen bij een externe route.")
    if isinstance(reason, str) and "{age}" in reason:
        if ages.get("min_age") is None and ages.get("max_age") is None or unknown_age:
            problems.append(f"{where}: {{age}} in de reden, maar de regel geldt ook als de "
                            "leeftijd onbekend is.")
    if isinstance(reason, str) and "{topics}" in reason and not topics:
        problems.append(f"{where}: {{topics}} in de reden, maar de regel noemt geen onderwerpen.")
    if len(problems) > before or route is None:
        return None
    return Rule(
        route=route,
        reason=reason.strip(),
        topic_ids=frozenset(t.id for t in topics),
        village_ids=frozenset(v.id for v in villages),
        min_age=ages.get("min_age"),
        max_age=ages.get("max_age"),
        unknown_age=unknown_age,
        referral_id=referral.id if referral else None,
    )


def _urgent(item: dict[str, Any], number: int, ref: Reference,
            problems: list[str]) -> UrgentRule | None:
    where = f"[[urgent]] nummer {number}"
    before = len(problems)
    for key in sorted(set(item) - URGENT_KEYS):
        problems.append(f"{where}: onbekende sleutel '{key}'.")
    topics = _lookup_many(ref.topics.all, item.get("topics", []), "onderwerp", where, problems)
    if not topics and len(problems) == before:
        problems.append(f"{where}: noem minstens een onderwerp in 'topics'.")
    reason = item.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        problems.append(f"{where}: 'reason' ontbreekt.")
    if len(problems) > before:
        return None
    return UrgentRule(frozenset(t.id for t in topics), reason.strip())


def _lookup(entries, value, label: str, where: str, problems: list[str]):
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: '{_key(label)}' ontbreekt.")
        return None
    wanted = fold(value)
    for entry in entries:
        if fold(entry.name) == wanted or getattr(entry, "code", None) == value:
            return entry
    adjective = "onbekende" if label == "route" else "onbekend"
    problems.append(f"{where}: {adjective} {label} '{value}'.")
    return None


def _lookup_many(entries, values, label: str, where: str, problems: list[str]) -> list:
    if not isinstance(values, list):
        problems.append(f"{where}: zet de lijst tussen [ en ].")
        return []
    found = []
    for value in values:
        entry = _lookup(entries, value, label, where, problems)
        if entry is not None:
            found.append(entry)
    return found


def _key(label: str) -> str:
    return {"route": "route", "verwijsadres": "referral"}.get(label, label)
