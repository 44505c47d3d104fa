"""Browser logins (``balie serve``): passwords, lockout and the audit rows of each attempt.

At a terminal the OS account says who is at the desk (:func:`balie.db.access.sign_in`);
in a browser nobody is known until they log in with a username and password. The
password is kept only as a salted scrypt hash (:mod:`balie.domain.passwords`).

Every attempt, failed or not, gets an audit row, never with the password in it, and
for an unknown username not with the name either (it may be a password typed in the
wrong field). After :data:`MAX_FAILURES` wrong passwords in a row the account is locked
for :data:`LOCK_MINUTES`; a good login or a new password clears the count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from balie.db.access import Actor, NotAllowed, audit, cannot_work, load_staff, require
from balie.db.connection import BalieDatabase
from balie.db.errors import StoreError
from balie.domain.models import Staff
from balie.domain.passwords import (
    DUMMY_HASH,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from balie.domain.timekeeping import from_db, local, to_db

MAX_FAILURES = 5
LOCK_MINUTES = 15

WRONG = "Gebruikersnaam of wachtwoord klopt niet."
"""The one message for an unknown name, a wrong password and an account without a
password: the login screen does not tell which names exist."""


class LoginRefused(NotAllowed):
    """The login did not succeed; ``message`` says why in Dutch, fit for the screen."""


class PasswordRejected(StoreError):
    """The new password does not meet the rules (too short, too simple)."""


@dataclass(frozen=True)
class _Account:
    id: int
    username: str
    password_hash: str | None
    locked_until: datetime | None
    retired: bool


def _account(db: BalieDatabase, username: str) -> _Account | None:
    """The staff member with this username: exactly as typed, else ignoring case when
    that finds exactly one."""
    sql = ("SELECT id, username, password_hash, locked_until, retired_at FROM staff "
           "WHERE {} LIMIT 2")
    rows = db.execute(sql.format("username = ?"), [username]).fetchall()
    if not rows:
        rows = db.execute(sql.format("lower(username) = lower(?)"), [username]).fetchall()
    if len(rows) != 1:
        return None
    staff_id, name, stored, locked, retired = rows[0]
    return _Account(staff_id, name, stored, from_db(locked) if locked else None,
                    retired is not None)


def _locked_message(until: datetime) -> str:
    return (f"Te veel mislukte pogingen: dit account is geblokkeerd tot "
            f"{local(until):%H:%M}. Probeer het daarna opnieuw, of vraag beheer om een "
            "nieuw wachtwoord (dat heft de blokkade op).")


def log_in(db: BalieDatabase, username: str, password: str, origin: str,
           now: datetime) -> tuple[Staff, Actor]:
    """The staff member and Actor for a username and password, or LoginRefused.

    Costs one scrypt run whatever the outcome (a dummy hash for unknown names), and
    that run happens outside the write transaction: other desks never wait for it.
    """
    name = " ".join(username.split())
    account = _account(db, name) if name else None
    stored = account.password_hash if account else None
    matches = verify_password(password, stored or DUMMY_HASH) and stored is not None
    refusal: str | None = None
    with db.write():
        if account is None:
            audit(db, None, "login_failed", now, detail="onbekende gebruikersnaam",
                  origin=origin)
            refusal = WRONG
        else:
            actor = Actor(account.id, origin)
            # Read again inside the transaction: another attempt may have locked it.
            failures, locked = db.execute(
                "SELECT failed_logins, locked_until FROM staff WHERE id = ?", [account.id]
            ).fetchone()
            locked_until = from_db(locked) if locked else None
            if locked_until is not None and locked_until > now:
                audit(db, actor, "login_failed", now,
                      detail=f"geblokkeerd tot {to_db(locked_until)}")
                refusal = _locked_message(locked_until)
            elif stored is None:
                audit(db, actor, "login_failed", now, detail="geen wachtwoord ingesteld")
                refusal = WRONG
            elif not matches:
                failures += 1
                if failures >= MAX_FAILURES:
                    locked_until = now + timedelta(minutes=LOCK_MINUTES)
                    db.execute("UPDATE staff SET failed_logins = 0, locked_until = ? "
                               "WHERE id = ?", [to_db(locked_until), account.id])
                    audit(db, actor, "login_failed", now,
                          detail=f"wachtwoord onjuist ({failures}e keer); geblokkeerd tot "
                                 f"{to_db(locked_until)}")
                    refusal = _locked_message(locked_until)
                else:
                    db.execute("UPDATE staff SET failed_logins = ? WHERE id = ?",
                               [failures, account.id])
                    audit(db, actor, "login_failed", now,
                          detail=f"wachtwoord onjuist ({failures} van {MAX_FAILURES})")
                    refusal = WRONG
            elif account.retired:
                audit(db, actor, "login_failed", now, detail="account ingetrokken")
                refusal = (f"Het account {account.username} is ingetrokken en kan balie "
                           "niet gebruiken. Vraag beheer.")
            elif (problem := cannot_work(who := load_staff(db, account.id))) is not None:
                audit(db, actor, "login_failed", now,
                      detail="geen rol" if not who.roles else "geen team")
                refusal = problem
            else:
                db.execute("UPDATE staff SET failed_logins = 0, locked_until = NULL "
                           "WHERE id = ?", [account.id])
                audit(db, actor, "sign_in", now, detail="wachtwoord")
                staff = load_staff(db, account.id)
    # Raised after the transaction: the audit rows and the count must be kept.
    if refusal is not None:
        raise LoginRefused(refusal)
    if needs_rehash(stored):
        # Made with weaker parameters than today's: store a new hash while we have the
        # password (outside the transaction above: this is another scrypt run).
        renewed = hash_password(password)
        with db.write():
            db.execute("UPDATE staff SET password_hash = ? WHERE id = ? AND password_hash = ?",
                       [renewed, account.id, stored])
    return staff, actor


def check_password_change(db: BalieDatabase, actor: Actor, username: str) -> _Account:
    """The account whose password ``actor`` may set: their own, or anyone's for beheer.

    Raises NotAllowed (or StoreError for an unknown or retired account) before anyone
    types a new password.
    """
    account = _account(db, " ".join(username.split()))
    own = account is not None and account.id == actor.staff_id
    if not own:
        require(db, actor, "reference")
    if account is None:
        raise StoreError(f"Er is geen medewerker met gebruikersnaam {username!r}. "
                         f"Voeg die eerst toe: balie ref add staff {username} --roles balie")
    if account.retired:
        raise StoreError(f"Het account {account.username} is ingetrokken; zet het eerst weer "
                         f"actief: balie ref restore staff {account.username}")
    return account


def set_password(db: BalieDatabase, actor: Actor, username: str, password: str,
                 now: datetime) -> None:
    """Set (or reset) a staff member's password: beheer for anyone, anyone for themself.

    A new password also lifts a lockout and clears the count of failed attempts.
    """
    problem = password_problem(password)
    if problem is not None:
        raise PasswordRejected(problem)
    new_hash = hash_password(password)  # before the transaction: scrypt takes a while
    with db.write():
        account = check_password_change(db, actor, username)
        db.execute("UPDATE staff SET password_hash = ?, failed_logins = 0, locked_until = NULL "
                   "WHERE id = ?", [new_hash, account.id])
        whose = "eigen wachtwoord" if account.id == actor.staff_id else \
            f"wachtwoord van medewerker {account.id}"
        audit(db, actor, "password", now, detail=f"{whose} ingesteld")


def sign_out(db: BalieDatabase, actor: Actor, now: datetime) -> None:
    """The end of a browser session, for the audit log."""
    audit(db, actor, "sign_out", now)
