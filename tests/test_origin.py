"""Origins are checked where they enter: the command line refuses a hostile one, what
balie makes from the system is cut to the allowed form, and the data layer refuses an
Actor with any other origin (a bug, not input)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from balie import cli
from balie.app import make_app, terminal_origin
from balie.db import open_database
from balie.db.access import Actor, audit
from balie.domain.origin import MAX_ORIGIN, is_origin, make_origin, parse_origin
from balie.domain.parsing import InvalidInput
from balie.serve import client_address, web_origin

HOSTILE = ["x[/]", "a\x1b[1A\x1b[2K", "web \x1b]52;c;aGk=\x07", "a" * (MAX_ORIGIN + 1),
           "", "   ", "line\nbreak", "web 1.2.3.4\u202e", "[link=https://e.x]y"]


@pytest.mark.parametrize("text", ["web 192.0.2.7", "web ::1", "web fe80::1%eth0",
                                  "werkplek3 /dev/pts/2", "server.welzijnmd.nl cli",
                                  "a" * MAX_ORIGIN])
def test_well_formed_origins_pass(text):
    assert parse_origin(text) == text


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_origins_are_refused_in_dutch(text):
    with pytest.raises(InvalidInput, match="herkomst"):
        parse_origin(text)


@given(st.text(max_size=300))
def test_what_balie_makes_itself_always_passes(text):
    made = make_origin(text, "/dev/pts/1")
    assert is_origin(made)
    assert is_origin(make_origin(text))


def test_terminal_and_web_origins_are_well_formed():
    assert is_origin(terminal_origin())
    assert is_origin(web_origin(None)) and web_origin(None) == "web"
    assert web_origin("192.0.2.7") == "web 192.0.2.7"
    # A scope id is part of an IPv6 address as Python reads it: whatever it holds,
    # the origin stays in form.
    address = client_address("fe80::1%\x1b[2K", None)
    assert address is None or is_origin(web_origin(address))


@pytest.mark.parametrize("text", HOSTILE[:4])
def test_the_command_line_refuses_a_hostile_origin_and_logs_nothing(made_db, capsys, text):
    db = open_database(made_db)
    before = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    db.close()
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--db", str(made_db), "start", "--login", "--origin", text])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "herkomst" in err and "\x1b" not in err.split("herkomst", 1)[1]
    db = open_database(made_db)
    assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before
    db.close()


def test_make_app_refuses_a_hostile_origin(made_db):
    with pytest.raises(InvalidInput):
        make_app(made_db, login=True, origin="web \x1b[2K")


def test_the_data_layer_takes_no_actor_with_another_origin(db):
    with pytest.raises(ValueError):
        Actor(1, "x\x1b[2K")
    from tests.conftest import FROZEN_NOW

    with pytest.raises(ValueError):
        audit(db, None, "login_failed", FROZEN_NOW, origin="web [/]")
