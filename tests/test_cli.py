"""The balie command line: every command, its messages and its exit codes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from balie.cli import build_parser, main
from balie.config import ENV_DB, resolve_db_path
from balie.db import open_database
from balie.db.inquiries import earlier_contacts
from balie.db.migrations import KNOWN
from balie.db.settings import MAX_WAIT_HOURS, office_settings, set_setting
from balie.domain.workhours import DEFAULT_MAX_WAIT_HOURS
from tests.conftest import FROZEN_NOW, member

COMMANDS = ("start", "info", "demo", "backup", "report", "import", "rules", "ref", "settings",
            "keys", "audit", "retention", "person", "serve", "password", "kaart")


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_documents_every_command(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["--help"])
    assert exit.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("gebruik: balie")
    for command in COMMANDS:
        assert command in out


def test_the_console_script_is_installed():
    result = subprocess.run(["balie", "--version"], capture_output=True, text=True,
                            env=os.environ | {"PATH": f"{Path(sys.executable).parent}:"
                                                       f"{os.environ['PATH']}"})
    assert result.returncode == 0 and result.stdout.startswith("balie ")


def test_db_option_wins_over_environment_which_wins_over_default(tmp_path):
    assert resolve_db_path(str(tmp_path / "a.db"), {ENV_DB: "/x/b.db"}) == tmp_path / "a.db"
    assert resolve_db_path(None, {ENV_DB: "/x/b.db"}) == Path("/x/b.db")
    default = resolve_db_path(None, {})
    assert default.name == "balie.db" and "balie" in default.parent.parts


def test_the_environment_variable_is_used(capsys, tmp_path, monkeypatch):
    open_database(tmp_path / "env.db").close()
    monkeypatch.setenv(ENV_DB, str(tmp_path / "env.db"))
    code, out, _ = run(capsys, "info")
    assert code == 0 and str(tmp_path / "env.db") in out
    assert (tmp_path / "env.db").exists()


def test_info_shows_path_schema_and_counts(capsys, made_db):
    code, out, _ = run(capsys, "--db", str(made_db), "info")
    assert code == 0
    assert str(made_db) in out and "registraties: 0" in out and KNOWN[-1] in out


def test_demo_builds_a_year_with_the_rhythm_of_a_working_week(capsys, db_path):
    def schema():
        with open_database(db_path) as db:
            return db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()

    before = schema()
    code, out, _ = run(capsys, "--db", str(db_path), "demo", "--days", "365", "--seed", "7")
    # The bulk load drops and rebuilds indexes and triggers: all of them are back.
    assert [row for row in schema() if not row[1].startswith("sqlite_stat")] == before
    assert code == 0 and "verzonnen registraties" in out
    db = open_database(db_path)
    total = db.execute("SELECT count(*) FROM inquiry").fetchone()[0]
    assert 6_500 < total < 9_000  # about 30 per working day
    weekdays = Counter(
        row[0] for row in db.execute(
            "SELECT strftime('%w', registered_at) FROM inquiry"
        )
    )
    assert weekdays["1"] > 10 * (weekdays["0"] + weekdays["6"])  # Mondays vs weekends
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    # Demo callers with a name are found by the returning-caller index.
    name = db.execute("SELECT person_name FROM inquiry WHERE person_name IS NOT NULL LIMIT 1"
                      ).fetchone()[0]
    assert earlier_contacts(db, member(db, "t"), None, name, FROZEN_NOW)[0].count >= 1
    db.close()


def test_demo_refuses_a_database_with_real_registrations(capsys, db_path):
    db = open_database(db_path)
    from balie.db.inquiries import save_inquiry
    from balie.db.reference import load_reference
    from tests.conftest import FROZEN_NOW
    from tests.test_store import make_input

    save_inquiry(db, make_input(load_reference(db)), member(db, "x"), FROZEN_NOW)
    db.close()
    code, _, err = run(capsys, "--db", str(db_path), "demo", "--days", "5")
    assert code == 1
    assert "echte registraties" in err and "Traceback" not in err


def test_demo_rejects_nonsense_arguments_in_dutch(capsys, db_path):
    with pytest.raises(SystemExit) as exit:
        main(["--db", str(db_path), "demo", "--days", "nul"])
    assert exit.value.code == 2
    assert "geen geheel getal" in capsys.readouterr().err


def test_backup_makes_a_checked_private_copy(capsys, db_path, tmp_path):
    run(capsys, "--db", str(db_path), "demo", "--days", "10", "--seed", "1")
    target = tmp_path / "backups" / "balie-2026-03-10.db"
    code, out, _ = run(capsys, "--db", str(db_path), "backup", str(target))
    assert code == 0 and "gecontroleerd" in out
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    copy = sqlite3.connect(target)
    original = sqlite3.connect(db_path)
    query = "SELECT count(*), max(id) FROM inquiry"
    assert copy.execute(query).fetchone() == original.execute(query).fetchone()
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()
    original.close()
    assert not list(target.parent.glob("*.partial"))


def test_backup_never_overwrites(capsys, made_db, tmp_path):
    target = tmp_path / "bestaat.db"
    target.write_text("iets belangrijks")
    code, _, err = run(capsys, "--db", str(made_db), "backup", str(target))
    assert code == 1 and "bestaat al" in err
    assert target.read_text() == "iets belangrijks"


def test_reference_data_can_be_managed_from_the_command_line(capsys, made_db):
    db = ["--db", str(made_db)]
    code, out, _ = run(capsys, *db, "ref", "list", "villages")
    assert code == 0 and "Beilen" in out and "11665" in out
    assert run(capsys, *db, "ref", "add", "villages", "Nieuwlande", "--area", "Overig",
               "--inhabitants", "12")[0] == 0
    assert run(capsys, *db, "ref", "rename", "villages", "nieuwlande", "Nieuw-Lande")[0] == 0
    assert run(capsys, *db, "ref", "set", "villages", "Nieuw-Lande", "--inhabitants", "15")[0] == 0
    assert run(capsys, *db, "ref", "retire", "villages", "Nieuw-Lande")[0] == 0
    out = run(capsys, *db, "ref", "list", "villages")[1]
    line = next(line for line in out.splitlines() if line.startswith("Nieuw-Lande"))
    assert "15" in line and "ingetrokken" in line
    assert run(capsys, *db, "ref", "restore", "villages", "Nieuw-Lande")[0] == 0
    code, _, err = run(capsys, *db, "ref", "list", "referrals")
    assert code == 2 and "sociale kaart: gebruik balie kaart list" in err


def test_reference_mistakes_get_a_message_not_a_traceback(capsys, made_db):
    code, _, err = run(capsys, "--db", str(made_db), "ref", "add", "topics", "Financien")
    assert code == 1 and "bestaat al" in err and "Traceback" not in err
    code, _, err = run(capsys, "--db", str(made_db), "ref", "set", "villages", "Beilen")
    assert code == 2 and "geef op wat er moet veranderen" in err


def test_a_newer_database_is_refused_by_the_command_line(capsys, db_path):
    db = open_database(db_path)
    db["_sqlite_migrations"].insert(
        {"migration_set": "balie", "name": "9999_toekomst", "applied_at": "x"}
    )
    db.close()
    code, _, err = run(capsys, "--db", str(db_path), "info")
    assert code == 1 and "nieuwere versie" in err


def test_every_subcommand_has_dutch_help():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)
    for name, command in sub.choices.items():
        assert command.format_help().startswith(f"gebruik: balie {name} "), name


def test_rules_can_be_shown_edited_and_loaded(capsys, made_db, tmp_path):
    code, shown, _ = run(capsys, "--db", str(made_db), "rules", "show")
    assert code == 0 and "[[rule]]" in shown and "# versie 1" in shown
    edited = tmp_path / "regels.toml"
    edited.write_text(shown.replace('route = "desk"\nreason = "informatie en advies aan de balie"',
                                    'route = "external"\nreferral = "Huisarts"\n'
                                    'reason = "naar de huisarts"'))
    code, out, _ = run(capsys, "--db", str(made_db), "rules", "load", "--check", str(edited))
    assert code == 0 and "in orde" in out
    code, out, _ = run(capsys, "--db", str(made_db), "rules", "load", str(edited))
    assert code == 0 and "versie 2" in out
    assert 'reason = "naar de huisarts"' in run(capsys, "--db", str(made_db), "rules", "show")[1]


def test_bad_rules_are_refused_and_the_old_ones_stay(capsys, made_db, tmp_path):
    bad = tmp_path / "fout.toml"
    bad.write_text('[[rule]]\nroute = "nergens"\nreason = "x"\n[[rule]]\nreason = "y"\n')
    code, _, err = run(capsys, "--db", str(made_db), "rules", "load", str(bad))
    assert code == 1
    assert "onbekende route 'nergens'" in err and "'route' ontbreekt" in err
    assert "Traceback" not in err
    assert "# versie 1" in run(capsys, "--db", str(made_db), "rules", "show")[1]


def test_renaming_something_the_rules_name_is_refused(capsys, made_db):
    code, _, err = run(capsys, "--db", str(made_db), "ref", "rename", "villages",
                       "Buiten Midden-Drenthe", "Elders")
    assert code == 1 and "routeringsregels" in err
    assert "Buiten Midden-Drenthe" in run(capsys, "--db", str(made_db), "ref", "list",
                                          "villages")[1]


@pytest.mark.parametrize("command", [["info"], ["backup", "kopie.db"], ["rules", "show"],
                                     ["report"], ["ref", "list", "villages"]])
def test_a_mistyped_path_never_becomes_a_new_database(capsys, tmp_path, command):
    typo = tmp_path / "typo" / "balie.db"
    code, _, err = run(capsys, "--db", str(typo), *command)
    assert code == 1 and "bestaat niet" in err
    assert not typo.exists() and not typo.parent.exists()


def test_a_sqlite_file_of_another_program_is_left_alone(capsys, tmp_path):
    other = tmp_path / "boekhouding.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE area (x)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    code, _, err = run(capsys, "--db", str(other), "info")
    assert code == 1 and "ander programma" in err and "Traceback" not in err
    assert other.read_bytes() == before  # not even switched to WAL
    assert not (tmp_path / "boekhouding.db-wal").exists()


def test_demo_needs_an_explicit_database(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_DB, str(tmp_path / "productie.db"))
    code, _, err = run(capsys, "demo", "--days", "3")
    assert code == 2 and "--db" in err
    assert not (tmp_path / "productie.db").exists()


def test_settings_are_shown_changed_and_bad_values_refused(capsys, made_db):
    code, out, _ = run(capsys, "--db", str(made_db), "settings")
    assert code == 0
    assert "max-wait-hours   8 " in out and "office-hours     09:00-17:00" in out
    code, out, _ = run(capsys, "--db", str(made_db), "settings", "set", "max-wait-hours", "4,5")
    assert code == 0 and "max-wait-hours   4.5 " in out
    code, _, err = run(capsys, "--db", str(made_db), "settings", "set", "office-hours", "17-9")
    assert code == 2 and "eindtijd" in err
    code, out, _ = run(capsys, "--db", str(made_db), "settings", "set", "office-hours", "8:30-16")
    assert code == 0 and "08:30-16:00" in out
    db = open_database(made_db)
    try:
        max_hours, office = office_settings(db)
    finally:
        db.close()
    assert max_hours == 4.5 and (office.start.hour, office.start.minute) == (8, 30)


@pytest.mark.parametrize("stored", [float("nan"), float("inf"), -1, 10**400, "8", True])
def test_a_stored_waiting_time_that_cannot_be_used_gives_the_default(db, stored):
    # Only an edited database holds these; the inboxes must still highlight as usual.
    set_setting(db, MAX_WAIT_HOURS, stored, FROZEN_NOW)
    assert office_settings(db)[0] == DEFAULT_MAX_WAIT_HOURS
