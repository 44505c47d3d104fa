"""The command line prints data as text: an escape sequence stored by one account (an
origin, a name) never reaches another's terminal, in a table, a message or a pipe;
documents written to a file keep the data as it is. Names with control characters
are refused where they enter."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from balie.cli import main
from balie.cli.output import ShownText, shown_output, write_document
from balie.db import open_database
from balie.db.inquiries import InquiryInput, save_inquiry
from balie.db.reference import load_reference
from balie.domain.timekeeping import utc_now
from tests.conftest import member

ATTACK = "\x1b[1A\x1b[2K\x1b]52;c;aGFjaw==\x07\x9b2J"
"""Cursor up, erase the line, write the clipboard, a C1 CSI: what a log line must not do."""


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def clean(text: str) -> bool:
    return not any(c in text for c in "\x1b\x07\x9b")


@pytest.fixture
def hostile(made_db):
    """Rows and names an older balie, or another program with the file, could leave."""
    db = open_database(made_db)
    ref = load_reference(db)
    desk = member(db, "desk", f"Balie{ATTACK}")
    now = utc_now()
    with db.write():
        db.execute("UPDATE village SET name = ? WHERE name = 'Elp'", [f"Elp{ATTACK}"])
        db.execute("INSERT INTO audit_log (at, staff_id, action, detail, origin) "
                   "VALUES (?, ?, 'sign_in', ?, ?)",
                   [(now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    desk.staff_id, f"detail{ATTACK}", f"werkplek{ATTACK}"])
    save_inquiry(db, InquiryInput(
        channel_id=ref.channels.active[0].id, village_id=ref.villages.named("Elp").id,
        route_id=ref.route("desk").id, topic_ids=(ref.topics.active[0].id,), consent=True,
        person_name="Jan Zwaan", phone="+31612345678"), desk, now - timedelta(minutes=5))
    with db.write():
        db.execute("UPDATE inquiry SET person_name = ?", [f"Jan Zwaan{ATTACK}"])
    db.close()
    return made_db


@pytest.mark.parametrize("argv", [
    ["audit"],
    ["ref", "list", "villages"],
    ["ref", "list", "staff"],
    ["report", "--by", "village"],
    ["person", "find", "--phone", "06-12345678"],
])
def test_a_table_shows_escape_sequences_as_characters(hostile, capsys, argv):
    code, out, err = run(capsys, "--db", str(hostile), *argv)
    assert code == 0, err
    assert clean(out) and clean(err)
    assert "␛[1A␛[2K␛]52;c;aGFjaw==␇" in out


def test_a_message_quoting_data_shows_it(hostile, capsys):
    code, out, err = run(capsys, "--db", str(hostile), "ref", "rename", "villages",
                         f"nergens{ATTACK}", "x")
    assert code == 1 and clean(err) and "nergens" in err


def test_a_document_for_a_file_keeps_the_data(hostile, tmp_path, capsys):
    target = tmp_path / "log.csv"
    code, _, err = run(capsys, "--db", str(hostile), "audit", "--format", "csv",
                       "--output", str(target))
    assert code == 0 and clean(err)
    assert f"werkplek{ATTACK}" in target.read_bytes().decode("utf-8-sig")
    code, out, _ = run(capsys, "--db", str(hostile), "audit", "--format", "csv")
    assert f"werkplek{ATTACK}" in out  # stdout is a pipe here: a file, kept as it is


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_document_on_a_terminal_is_shown(monkeypatch):
    screen = Terminal()
    monkeypatch.setattr("sys.stdout", screen)
    with shown_output():
        write_document(f"a;b{ATTACK}\r\n")
    assert clean(screen.getvalue()) and "b␛[1A" in screen.getvalue()


def test_the_wrapper_keeps_lines_and_passes_the_rest_on():
    stream = Terminal()
    shown = ShownText(stream)
    shown.write(f"regel{ATTACK}\nnog een\n")
    assert stream.getvalue().splitlines()[1] == "nog een" and clean(stream.getvalue())
    assert shown.isatty()


@pytest.mark.parametrize("argv", [
    ["ref", "add", "villages", "Nieuw\x1b[2J", "--area", "Beilen"],
    ["ref", "rename", "villages", "Elp", "Elp\x1b]52;c;eA==\x07"],
    ["ref", "add", "staff", "nieuw", "--roles", "balie", "--display-name", "Nieuw\x1b[2J"],
    ["ref", "set", "routes", "Seniorenwerk", "--short-name", "Sen\x9b2J"],
])
def test_names_with_control_characters_are_refused_where_they_enter(made_db, capsys, argv):
    db = open_database(made_db)
    before = db.execute("SELECT count(*) FROM audit_log WHERE action = 'reference'"
                        ).fetchone()[0]
    db.close()
    code, _, err = run(capsys, "--db", str(made_db), *argv)
    assert code == 1 and "stuurtekens" in err and clean(err)
    db = open_database(made_db)
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'reference'"
                      ).fetchone()[0] == before
    assert db.execute("SELECT count(*) FROM village WHERE name LIKE '%' || char(27) || '%'"
                      ).fetchone()[0] == 0
    db.close()
