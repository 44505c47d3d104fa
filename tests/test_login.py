"""Browser logins in the data layer: hashes, lockout, who may set a password, audit rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from balie.db import open_database
from balie.db.access import NotAllowed, sign_in
from balie.db.login import (
    LOCK_MINUTES,
    MAX_FAILURES,
    WRONG,
    LoginRefused,
    PasswordRejected,
    log_in,
    set_password,
)
from balie.db.reference import KINDS, add_entry, set_retired, update_entry
from balie.domain import passwords
from balie.domain.passwords import hash_password, needs_rehash, verify_password

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)  # 10:30 in Beilen
GOOD = "paarse olifant op de fiets"


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "balie.db")
    yield database
    database.close()


@pytest.fixture
def admin(db):
    """The installer (owner of the file): beheer, through the bootstrap."""
    return sign_in(db, "beheerder", "test cli", NOW, owns_file=True)[1]


@pytest.fixture
def anna(db, admin):
    """A desk worker with a password."""
    add_entry(db, admin, KINDS["staff"], "anna", roles="balie", display_name="Anna de Vries")
    set_password(db, admin, "anna", GOOD, NOW)
    return "anna"


def audit_rows(db, action=None):
    sql = "SELECT staff_id, action, detail, origin FROM audit_log"
    if action:
        sql += " WHERE action = ?"
    return db.execute(sql + " ORDER BY id", [action] if action else []).fetchall()


def staff_id(db, username):
    return db.execute("SELECT id FROM staff WHERE username = ?", [username]).fetchone()[0]


# --- hashes -------------------------------------------------------------------------


def test_a_hash_describes_itself_and_verifies():
    stored = hash_password(GOOD)
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", 2**15, 8, 1)
    assert int(n) >= 2**14
    assert len(passwords.base64.b64decode(salt)) == 16
    assert GOOD not in stored
    assert verify_password(GOOD, stored)
    assert not verify_password(GOOD + " ", stored)
    assert not verify_password("", stored)
    assert not needs_rehash(stored)


def test_the_same_password_gets_another_salt_each_time():
    assert hash_password(GOOD) != hash_password(GOOD)


def test_unicode_forms_of_one_password_match():
    composed, decomposed = "caf\u00e9 op de hoek 12", "cafe\u0301 op de hoek 12"
    assert verify_password(decomposed, hash_password(composed))


@pytest.mark.parametrize("damaged", ["", "plain text", "scrypt$x$8$1$AAAA$AAAA",
                                     "bcrypt$16384$8$1$AAAA$AAAA", "scrypt$3$8$1$AAAA$AAAA",
                                     "scrypt$16384$8$1$!!$AAAA"])
def test_a_damaged_hash_never_matches(damaged):
    assert not verify_password(GOOD, damaged)
    assert needs_rehash(damaged)


def test_an_older_cheaper_hash_still_verifies_and_asks_for_a_new_one():
    salt = b"0123456789abcdef"
    digest = passwords.hashlib.scrypt(GOOD.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    old = f"scrypt$16384$8$1${passwords._b64(salt)}${passwords._b64(digest)}"
    assert verify_password(GOOD, old)
    assert needs_rehash(old)


@pytest.mark.parametrize("weak", ["kort", "elf tekens!", " " * 20, "aaaaaaaaaaaaaaaa"])
def test_weak_passwords_are_refused_in_dutch(db, admin, anna, weak):
    with pytest.raises(PasswordRejected) as refused:
        set_password(db, admin, "anna", weak, NOW)
    assert any(word in refused.value.message for word in ("minstens 12 tekens", "spaties",
                                                          "te eenvoudig"))
    assert verify_password(GOOD, db.execute(
        "SELECT password_hash FROM staff WHERE username = 'anna'").fetchone()[0])


# --- who may set a password ---------------------------------------------------------


def test_beheer_sets_a_password_and_the_log_says_so_without_it(db, admin, anna):
    stored = db.execute("SELECT password_hash FROM staff WHERE username = 'anna'").fetchone()[0]
    assert stored.startswith("scrypt$") and verify_password(GOOD, stored)
    (row,) = audit_rows(db, "password")
    assert row == (admin.staff_id, "password",
                   f"wachtwoord van medewerker {staff_id(db, 'anna')} ingesteld", "test cli")
    assert all(GOOD not in str(r) for r in audit_rows(db))


def test_a_staff_member_may_change_their_own_password_only(db, admin, anna):
    add_entry(db, admin, KINDS["staff"], "bert", roles="team", team="Seniorenwerk")
    _, actor = log_in(db, "anna", GOOD, "web", NOW)
    set_password(db, actor, "anna", "een nieuwe lange zin", NOW)
    assert log_in(db, "anna", "een nieuwe lange zin", "web", NOW)[0].username == "anna"
    assert audit_rows(db, "password")[-1][2] == "eigen wachtwoord ingesteld"
    with pytest.raises(NotAllowed) as refused:
        set_password(db, actor, "bert", "een wachtwoord voor bert", NOW)
    assert "rol beheer" in refused.value.message


def test_no_password_for_unknown_or_retired_accounts(db, admin, anna):
    with pytest.raises(Exception) as unknown:
        set_password(db, admin, "niemand", GOOD, NOW)
    assert "geen medewerker" in unknown.value.message
    set_retired(db, admin, KINDS["staff"], "anna", True)
    with pytest.raises(Exception) as retired:
        set_password(db, admin, "anna", GOOD, NOW)
    assert "ingetrokken" in retired.value.message


# --- logging in ---------------------------------------------------------------------


def test_a_good_login_gives_the_staff_member_and_an_actor_from_the_web(db, anna):
    staff, actor = log_in(db, "anna", GOOD, "web 192.0.2.7", NOW)
    assert (staff.username, staff.display_name, staff.roles) == (
        "anna", "Anna de Vries", frozenset({"balie"}))
    assert (actor.staff_id, actor.origin) == (staff.id, "web 192.0.2.7")
    assert audit_rows(db, "sign_in")[-1] == (staff.id, "sign_in", "wachtwoord", "web 192.0.2.7")


def test_username_case_and_spaces_do_not_matter(db, anna):
    assert log_in(db, "  Anna ", GOOD, "web", NOW)[0].username == "anna"


def test_wrong_password_and_unknown_name_give_one_message_and_an_audit_row(db, anna):
    with pytest.raises(LoginRefused) as wrong:
        log_in(db, "anna", "niet mijn wachtwoord", "web 192.0.2.7", NOW)
    with pytest.raises(LoginRefused) as unknown:
        log_in(db, "annabel", GOOD, "web 192.0.2.8", NOW)
    assert wrong.value.message == unknown.value.message == WRONG
    assert audit_rows(db, "login_failed") == [
        (staff_id(db, "anna"), "login_failed", "wachtwoord onjuist (1 van 5)", "web 192.0.2.7"),
        # Neither the name typed nor anything else about the person: only where from.
        (None, "login_failed", "onbekende gebruikersnaam", "web 192.0.2.8"),
    ]
    assert all(GOOD not in str(r) and "niet mijn" not in str(r) and "annabel" not in str(r)
               for r in audit_rows(db))


def test_an_account_without_password_cannot_log_in(db, admin):
    add_entry(db, admin, KINDS["staff"], "carla", roles="balie")
    with pytest.raises(LoginRefused) as refused:
        log_in(db, "carla", "", "web", NOW)
    assert refused.value.message == WRONG
    assert audit_rows(db, "login_failed")[-1][2] == "geen wachtwoord ingesteld"


def test_an_unknown_name_costs_as_much_as_a_known_one(db, anna, monkeypatch):
    """Counted in work, not in seconds (seconds depend on the machine and its load):
    every attempt runs scrypt once, with today's parameters, whether the name exists or
    not, so its time does not tell which names exist."""
    assert not needs_rehash(passwords.DUMMY_HASH)  # today's parameters: today's cost
    runs = []
    scrypt = passwords.hashlib.scrypt

    def counted(password, *, salt, n, r, p, maxmem, dklen):
        runs.append((n, r, p, maxmem, dklen, len(salt)))
        return scrypt(password, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen)

    monkeypatch.setattr(passwords.hashlib, "scrypt", counted)
    for name in ("onbekend", "anna"):
        with pytest.raises(LoginRefused):
            log_in(db, name, "niet mijn wachtwoord", "web", NOW)
    unknown, known = runs
    assert unknown == known
    assert unknown[:3] == (passwords.N, passwords.R, passwords.P)


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(db, anna):
    for attempt in range(1, MAX_FAILURES):
        with pytest.raises(LoginRefused) as refused:
            log_in(db, "anna", f"fout nummer {attempt}", "web", NOW)
        assert refused.value.message == WRONG
    with pytest.raises(LoginRefused) as locked:
        log_in(db, "anna", "fout nummer 5", "web", NOW)
    # 09:45 UTC is 10:45 in Beilen.
    assert "geblokkeerd tot 10:45" in locked.value.message
    # Locked: the right password is refused too, until the time is up.
    later = NOW + timedelta(minutes=LOCK_MINUTES) - timedelta(seconds=1)
    with pytest.raises(LoginRefused) as still:
        log_in(db, "anna", GOOD, "web", later)
    assert "geblokkeerd tot 10:45" in still.value.message
    assert log_in(db, "anna", GOOD, "web", NOW + timedelta(minutes=LOCK_MINUTES))
    assert [r[2] for r in audit_rows(db) if r[1] in ("login_failed", "sign_in")][-3:] == [
        "wachtwoord onjuist (5e keer); geblokkeerd tot 2026-03-10T09:45:00Z",
        "geblokkeerd tot 2026-03-10T09:45:00Z",
        "wachtwoord",
    ]


def test_a_good_login_resets_the_count(db, anna):
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(LoginRefused):
            log_in(db, "anna", "bijna goed wachtwoord", "web", NOW)
    log_in(db, "anna", GOOD, "web", NOW)
    assert db.execute("SELECT failed_logins, locked_until FROM staff WHERE username = 'anna'"
                      ).fetchone() == (0, None)
    with pytest.raises(LoginRefused) as refused:
        log_in(db, "anna", "bijna goed wachtwoord", "web", NOW)
    assert refused.value.message == WRONG


def test_a_new_password_from_beheer_lifts_a_lockout(db, admin, anna):
    for _ in range(MAX_FAILURES):
        with pytest.raises(LoginRefused):
            log_in(db, "anna", "bijna goed wachtwoord", "web", NOW)
    set_password(db, admin, "anna", "een nieuw wachtwoord", NOW)
    assert log_in(db, "anna", "een nieuw wachtwoord", "web", NOW)


def test_retired_staff_and_staff_without_a_role_are_refused(db, admin, anna):
    db.execute("DELETE FROM staff_role WHERE staff_id = ?", [staff_id(db, "anna")])
    with pytest.raises(LoginRefused) as no_role:
        log_in(db, "anna", GOOD, "web", NOW)
    assert "geen rol" in no_role.value.message
    update_entry(db, admin, KINDS["staff"], "anna", roles="balie")
    set_retired(db, admin, KINDS["staff"], "anna", True)
    with pytest.raises(LoginRefused) as retired:
        log_in(db, "anna", GOOD, "web", NOW)
    assert "ingetrokken" in retired.value.message
    assert [r[2] for r in audit_rows(db, "login_failed")] == ["geen rol", "account ingetrokken"]
    # A retired account with a wrong password learns nothing more than anyone else.
    with pytest.raises(LoginRefused) as wrong:
        log_in(db, "anna", "niet mijn wachtwoord", "web", NOW)
    assert wrong.value.message == WRONG


def test_a_login_with_an_old_hash_stores_a_stronger_one(db, anna):
    salt = b"0123456789abcdef"
    digest = passwords.hashlib.scrypt(GOOD.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    old = f"scrypt$16384$8$1${passwords._b64(salt)}${passwords._b64(digest)}"
    db.execute("UPDATE staff SET password_hash = ? WHERE username = 'anna'", [old])
    log_in(db, "anna", GOOD, "web", NOW)
    renewed = db.execute("SELECT password_hash FROM staff WHERE username = 'anna'").fetchone()[0]
    assert renewed != old and not needs_rehash(renewed) and verify_password(GOOD, renewed)


def test_the_bootstrap_of_the_file_owner_never_applies_to_a_browser_login(tmp_path):
    database = open_database(tmp_path / "leeg.db")
    try:
        with pytest.raises(LoginRefused):
            log_in(database, "beheerder", GOOD, "web", NOW)
        assert database.execute("SELECT count(*) FROM staff_role").fetchone() == (0,)
    finally:
        database.close()
