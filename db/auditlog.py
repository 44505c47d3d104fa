"""Reading the audit log (beheer): by staff member, by inquiry, by period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from balie.db.access import Actor, audit, require
from balie.db.connection import BalieDatabase
from balie.db.errors import StoreError
from balie.domain.text import fold
from balie.domain.timekeeping import Span, from_db, local_day

MAX_AUDIT_ROWS = 1000
"""Rows per query on screen; the CLI can export everything of a period."""

ACTIONS = {
    "view": "ingezien", "search": "gezocht", "register": "geregistreerd",
    "correct": "gecorrigeerd", "pickup": "opgepakt", "transfer": "doorgezet",
    "close": "afgerond", "reopen": "heropend", "callback": "teruggebeld",
    "export": "geëxporteerd", "erase": "gewist", "retention": "bewaartermijn",
    "access_export": "inzage", "reference": "referentiegegevens", "settings": "instellingen",
    "import": "ingelezen", "backup": "back-up", "bootstrap": "eerste beheerder",
    "sign_in": "aangemeld", "sign_out": "afgemeld", "login_failed": "inloggen mislukt",
    "password": "wachtwoord", "audit_view": "auditlog bekeken",
}
"""Dutch words for the actions in the log (an unknown action is shown as it is)."""


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    username: str | None
    action: str
    inquiry_id: int | None
    detail: str | None
    origin: str | None

    @property
    def action_label(self) -> str:
        return ACTIONS.get(self.action, self.action)


def audit_rows(db: BalieDatabase, actor: Actor, now: datetime, *, username: str | None = None,
               inquiry_id: int | None = None, span: Span | None = None,
               limit: int | None = MAX_AUDIT_ROWS) -> list[AuditRow]:
    """The log's rows that match every filter given, newest first. Reading the log is
    itself logged (with the filters)."""
    where, params = [], []
    with db.write():
        require(db, actor, "audit")
        if username:
            staff = next((r for r in db.execute("SELECT id, username FROM staff")
                          if fold(r[1]) == fold(username)), None)
            if staff is None:
                raise StoreError(f"Geen medewerker met gebruikersnaam {username!r}.")
            where.append("audit_log.staff_id = ?")
            params.append(staff[0])
        if inquiry_id is not None:
            where.append("audit_log.inquiry_id = ?")
            params.append(inquiry_id)
        if span is not None:
            lower, upper = span.db_bounds
            where += ["audit_log.at >= ?", "audit_log.at < ?"]
            params += [lower, upper]
        sql = f"""SELECT audit_log.*, staff.username FROM audit_log
                  LEFT JOIN staff ON staff.id = audit_log.staff_id
                  {'WHERE ' + ' AND '.join(where) if where else ''}
                  ORDER BY audit_log.id DESC {f'LIMIT {int(limit)}' if limit else ''}"""
        rows = [AuditRow(r["id"], from_db(r["at"]), r["username"], r["action"],
                         r["inquiry_id"], r["detail"], r["origin"])
                for r in db.query(sql, params)]
        described = ", ".join(filter(None, (
            f"medewerker {username}" if username else None,
            f"nummer {inquiry_id}" if inquiry_id is not None else None,
            f"periode {local_day(span.start):%d-%m-%Y} t/m "
            f"{local_day(span.end - timedelta(seconds=1)):%d-%m-%Y}" if span else None,
        ))) or "alles"
        audit(db, actor, "audit_view", now, detail=described)
    return rows
