"""The routing rules document, versioned in the database so every desk uses the same rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from balie.db.access import Actor, audit, require
from balie.db.connection import BalieDatabase
from balie.db.reference import load_reference
from balie.domain.routing import RuleSet, parse_rules
from balie.domain.timekeeping import from_db, to_db


@dataclass(frozen=True)
class RulesVersion:
    id: int
    body: str
    loaded_at: datetime
    loaded_by: str


def active_rules(db: BalieDatabase) -> RulesVersion:
    row = next(db.query("SELECT * FROM routing_rules ORDER BY id DESC LIMIT 1"))
    return RulesVersion(row["id"], row["body"], from_db(row["loaded_at"]), row["loaded_by"])


def load_rule_set(db: BalieDatabase) -> RuleSet:
    """The rules in use, checked against the current reference data."""
    return parse_rules(active_rules(db).body, load_reference(db))


def store_rules(db: BalieDatabase, actor: Actor, body: str, now: datetime) -> int:
    """Check ``body`` (raises InvalidRules) and make it the rules in use; returns its version."""
    with db.write():
        current = require(db, actor, "settings")
        parse_rules(body, load_reference(db))
        version = db["routing_rules"].insert(
            {"body": body, "loaded_at": to_db(now), "loaded_by": current.username}
        ).last_pk
        audit(db, actor, "settings", now, detail=f"routeringsregels versie {version}")
        return version
