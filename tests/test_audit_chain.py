"""The audit log holds up against the file's own users: every row is chained to the one
before by a hash, so a row edited, deleted, inserted or moved with the sqlite3 shell
(triggers dropped) is found, and a noted head shows rows cut off at the end."""

from __future__ import annotations

import sqlite3

import pytest

from balie.config import os_username
from balie.db import open_database
from balie.db.access import audit, sign_in
from balie.db.auditlog import check_chain_part, verify_chain
from balie.db.connection import connect
from balie.db.migrations import applied_names, migrate
from balie.domain.auditchain import GENESIS, link
from tests.conftest import FROZEN_NOW
from tests.test_cli import run


@pytest.fixture
def logged(db_path):
    """A database whose log has eleven rows (first beheer, sign-in, nine views)."""
    with open_database(db_path) as db:
        _, actor = sign_in(db, os_username(), "test", FROZEN_NOW, owns_file=True)
        for number in range(9):
            audit(db, actor, "view", FROZEN_NOW, inquiry_id=number + 1, detail="test")
    return db_path


def behind_balies_back(path, *statements):
    """What a member of the desks' group can do with the sqlite3 shell."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    for statement in statements:
        conn.execute(statement)
    conn.close()


def verified(path):
    with open_database(path, create=False) as db:
        _, actor = sign_in(db, os_username(), "test", FROZEN_NOW, owns_file=True)
        return verify_chain(db, actor, FROZEN_NOW)


def test_every_row_is_linked_to_the_one_before(logged):
    result = verified(logged)
    assert result.broken is None and result.progress.rows == 12  # 11, and the sign-in
    with sqlite3.connect(logged) as conn:
        rows = conn.execute("SELECT id, at, staff_id, action, inquiry_id, detail, origin, "
                            "chain FROM audit_log ORDER BY id").fetchall()
    previous = GENESIS
    for *fields, chain in rows:
        assert chain == link(previous, fields)
        previous = chain


@pytest.mark.parametrize("tampering, row, problem", [
    ("UPDATE audit_log SET detail = 'niets' WHERE id = 5", 5, "inhoud"),
    ("UPDATE audit_log SET staff_id = NULL WHERE id = 3", 3, "inhoud"),
    ("DELETE FROM audit_log WHERE id = 6", 7, "ontbreekt regel 6"),
    ("DELETE FROM audit_log WHERE id IN (4, 5, 6)", 7, "de regels 4 t/m 6"),
    # Moved: row 4 and row 8 swap places (their numbers swapped).
    (["UPDATE audit_log SET id = 1000 WHERE id = 4", "UPDATE audit_log SET id = 4 WHERE id = 8",
      "UPDATE audit_log SET id = 8 WHERE id = 1000"], 4, "volgorde"),
    ("INSERT INTO audit_log (id, at, action) VALUES (100, '2026-01-01T00:00:00Z', 'view')",
     100, "zonder schakel"),
    ("DELETE FROM audit_log WHERE id = 1", 2, "ontbreekt regel 1"),
])
def test_an_edited_deleted_or_moved_row_is_caught(logged, tampering, row, problem):
    behind_balies_back(logged, *([tampering] if isinstance(tampering, str) else tampering))
    result = verified(logged)
    assert result.broken is not None
    assert result.broken.row_id == row and problem in result.broken.message()
    assert result.progress.last_id < row  # everything before it holds


def test_balie_audit_verify_reports_the_first_broken_link(logged, capsys):
    code, out, err = run(capsys, "--db", str(logged), "audit", "--verify")
    assert code == 0, err
    assert "Auditlog in orde" in out
    head = next(line for line in out.splitlines() if line.startswith("Kop: ")).split()[1]
    code, out, err = run(capsys, "--db", str(logged), "audit", "--verify", "--head", head)
    assert code == 0 and "klopt nog" in out, err
    # Cutting rows off the end leaves a whole chain; the noted head shows it.
    number = int(head.split(":")[0])
    behind_balies_back(logged, f"DELETE FROM audit_log WHERE id >= {number - 4}")
    code, out, err = run(capsys, "--db", str(logged), "audit", "--verify", "--head", head)
    assert code == 4 and f"De bewaarde kop klopt niet: regel {number}" in err
    behind_balies_back(logged, "UPDATE audit_log SET origin = 'elders' WHERE id = 2")
    code, out, err = run(capsys, "--db", str(logged), "audit", "--verify")
    assert code == 4 and "bij regel 2" in err and "Regels 1 t/m 1 zijn in orde" in err
    code, _, err = run(capsys, "--db", str(logged), "audit", "--verify", "--inquiry", "3")
    assert code == 2


def test_the_chain_is_checked_in_parts(logged):
    with open_database(logged) as db:
        _, actor = sign_in(db, os_username(), "test", FROZEN_NOW, owns_file=True)
        part = check_chain_part(db, actor, limit=5)
        assert not part.done and part.progress.last_id == 5
        while not part.done:
            part = check_chain_part(db, actor, part.progress, limit=5)
        assert part.broken is None and part.progress.rows == 12


def test_the_migration_chains_the_rows_there_are(db_path):
    db = connect(db_path)
    migrate(db, stop_before="0008_audit_chain")
    with db.write():
        for number in range(30):
            db.execute("INSERT INTO audit_log (at, action, inquiry_id, detail) "
                       "VALUES ('2026-01-01T00:00:00Z', 'view', ?, 'oud')", [number])
    db.close()
    with open_database(db_path) as db:
        assert "0008_audit_chain" in applied_names(db)
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE audit_log SET chain = NULL")
    result = verified(db_path)
    assert result.broken is None and result.progress.rows == 32


def test_a_break_beheer_has_looked_into_is_passed_over_and_a_new_one_still_shows(
        logged, capsys):
    behind_balies_back(logged, "UPDATE audit_log SET detail = 'anders' WHERE id = 4")
    code, _, err = run(capsys, "--db", str(logged), "audit", "--verify", "--accept", "5")
    assert code == 1 and "niet gebroken bij regel 5 (maar bij regel 4)" in err
    code, out, err = run(capsys, "--db", str(logged), "audit", "--verify", "--accept", "4")
    assert code == 0 and "Auditlog in orde" in out, err
    behind_balies_back(logged, "DELETE FROM audit_log WHERE id = 8")
    code, _, err = run(capsys, "--db", str(logged), "audit", "--verify")
    assert code == 4 and "bij regel 9 ontbreekt regel 8" in err
    # Removing the acceptance is itself a break.
    behind_balies_back(logged, "DELETE FROM audit_log WHERE action = 'audit_chain_accepted'")
    assert verified(logged).broken.row_id == 4


async def notices_at_start(db_path, username, monkeypatch, *, seconds=1.0) -> list[str]:
    """The notices of a start, waiting up to ``seconds`` for one about the audit log."""
    import balie.app as app_module

    monkeypatch.setattr(app_module, "RETENTION_NOTICE_DELAY", 0.01)
    app = app_module.make_app(db_path, username=username, clock=lambda: FROZEN_NOW,
                              origin="test")
    async with app.run_test() as pilot:
        for _ in range(int(seconds / 0.05)):
            await pilot.pause(0.05)
            if any(title == "Auditlog" for title, _ in app.notices_shown):
                break
        return [f"{title}: {text}" for title, text in app.notices_shown]


async def test_beheer_is_warned_at_the_start_when_the_chain_is_broken(logged, monkeypatch):
    from tests.conftest import member

    with open_database(logged) as db:
        member(db, "balie.mw", roles=("balie",))
    told = await notices_at_start(logged, os_username(), monkeypatch)
    assert not any("Auditlog" in n or "auditlog" in n for n in told), told
    behind_balies_back(logged, "DELETE FROM audit_log WHERE id = 3")
    told = await notices_at_start(logged, os_username(), monkeypatch, seconds=10)
    assert any("bij regel 4 ontbreekt regel 3" in n and "balie audit --verify" in n
               for n in told), told
    # Only beheer is told: the desk cannot act on it.
    assert not any("auditlog" in n.lower()
                   for n in await notices_at_start(logged, "balie.mw", monkeypatch))
