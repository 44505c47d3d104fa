"""balie serve in a real browser: Debian's chromium, headless, driven over the DevTools
Protocol (a websocket; the ``websockets`` client).

The test types into the page as a person would: keys go to xterm.js, which sends them
to the session's balie process through textual-serve. What the page shows is read from
the websocket frames the browser receives (xterm.js draws on a canvas, so the screen's
text is not in the DOM); what was stored is read from the database.

Set BALIE_TEST_SCREENSHOTS=DIR to keep a PNG of each step.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from balie.db import open_database
from balie.db.access import sign_in
from balie.db.login import set_password
from balie.db.reference import KINDS, add_entry
from tests.serving import serving, stop, wait_until

pytestmark = pytest.mark.slow

PASSWORD = "paarse olifant op de fiets"
CHROMIUM = next(filter(None, (shutil.which(name) for name in
                              ("chromium", "chromium-browser", "google-chrome"))), None)
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Z0-9]"
                  r"|\x1b[=>78]")
KEYS = {
    # key: (key, code, Windows virtual key code) as Chrome reports them
    "enter": ("Enter", "Enter", 13), "tab": ("Tab", "Tab", 9), "f10": ("F10", "F10", 121),
    "ctrl+s": ("s", "KeyS", 83), "ctrl+r": ("r", "KeyR", 82),
}
CTRL = 2


class Page:
    """One page of the browser, over its DevTools websocket."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.next_id = 0
        self.output: list[tuple[float, str]] = []
        """The terminal output received over balie's websocket, escape codes removed."""
        self.shots = os.environ.get("BALIE_TEST_SCREENSHOTS")

    def _handle(self, message: dict) -> None:
        if message.get("method") == "Network.webSocketFrameReceived":
            frame = message["params"]["response"]
            if frame["opcode"] == 2:  # binary: the terminal's output
                text = base64.b64decode(frame["payloadData"]).decode("utf-8", "replace")
                self.output.append((time.monotonic(), ANSI.sub("", text)))

    def pump(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                self._handle(json.loads(self.ws.recv(timeout=left)))
            except TimeoutError:
                return

    def call(self, method: str, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv(timeout=15))
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._handle(message)
        raise AssertionError(f"no answer to {method}")

    def evaluate(self, expression: str):
        return self.call("Runtime.evaluate", expression=expression,
                         returnByValue=True)["result"].get("value")

    def shows(self, text: str, since: float = 0.0) -> bool:
        return any(text in chunk for at, chunk in self.output if at >= since)

    def wait_for_text(self, text: str, since: float = 0.0, timeout: float = 20) -> None:
        wait_until(lambda: self.shows(text, since), timeout, repr(text), poll=self.pump)

    def type(self, text: str) -> None:
        for char in text:
            self.call("Input.dispatchKeyEvent", type="keyDown", key=char, text=char)
            self.call("Input.dispatchKeyEvent", type="keyUp", key=char)
            self.pump(0.02)

    def press(self, name: str) -> None:
        key, code, vk = KEYS[name]
        modifiers = CTRL if name.startswith("ctrl+") else 0
        common = dict(key=key, code=code, windowsVirtualKeyCode=vk, nativeVirtualKeyCode=vk,
                      modifiers=modifiers)
        text = {"enter": "\r", "tab": "\t"}.get(name)
        self.call("Input.dispatchKeyEvent", type="keyDown" if text else "rawKeyDown",
                  **common, **({"text": text} if text else {}))
        self.call("Input.dispatchKeyEvent", type="keyUp", **common)
        self.pump(0.05)

    def screenshot(self, name: str) -> None:
        if self.shots:
            data = self.call("Page.captureScreenshot", format="png")["data"]
            Path(self.shots).mkdir(parents=True, exist_ok=True)
            (Path(self.shots) / f"{name}.png").write_bytes(base64.b64decode(data))


def db_rows(path: Path, sql: str) -> list[tuple]:
    db = open_database(path, create=False)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


@pytest.fixture
def served(tmp_path):
    """balie serve on a free port of 127.0.0.1, with a desk worker who has a password."""
    path = tmp_path / "balie.db"
    now = datetime.now(UTC)
    db = open_database(path)
    try:
        _, admin = sign_in(db, "installateur", "test cli", now, owns_file=True)
        add_entry(db, admin, KINDS["staff"], "anna", roles="balie", display_name="Anna de Vries")
        set_password(db, admin, "anna", PASSWORD, now)
    finally:
        db.close()
    with serving(path, tmp_path / "serve.log") as url:
        yield path, url


@pytest.fixture
def page(tmp_path):
    from websockets.sync.client import connect

    if CHROMIUM is None:
        pytest.skip("chromium not found (Debian: apt-get install chromium); the browser "
                    "test needs a real browser")
    profile = tmp_path / "chromium"
    browser = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-extensions", "--disable-background-networking", "--mute-audio",
         # Nothing leaves this machine: every other host name fails at once.
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
         f"--user-data-dir={profile}", "--remote-debugging-port=0",
         "--window-size=1280,800", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        active = profile / "DevToolsActivePort"
        wait_until(lambda: active.exists() and active.read_text().strip(), 30,
                   "chromium's DevTools port")
        port = active.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as reply:
            targets = json.load(reply)
        url = next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"]
        with connect(url, max_size=None, open_timeout=10) as ws:
            page = Page(ws)
            page.call("Network.enable")
            page.call("Page.enable")
            page.call("Runtime.enable")
            yield page
    finally:
        stop(browser)


def focus_terminal(page: Page) -> None:
    wait_until(lambda: page.evaluate(
        "!!document.querySelector('.xterm-helper-textarea')"), 20, "the terminal",
        poll=page.pump)
    page.evaluate("document.querySelector('.xterm-helper-textarea').focus()")


def test_log_in_register_an_inquiry_and_log_out_in_a_browser(served, page):
    path, url = served
    page.call("Page.navigate", url=url)
    focus_terminal(page)
    page.wait_for_text("Aanmelden bij balie")
    page.screenshot("1-login")

    page.type("anna")
    page.press("enter")
    page.type(PASSWORD)
    page.press("enter")
    # The desk's first screen: the registration form.
    wait_until(lambda: db_rows(path, "SELECT origin FROM audit_log WHERE action = 'sign_in' "
                                     "AND origin LIKE 'web%'"), 20, "the login", poll=page.pump)
    page.wait_for_text("Omschrijving")
    page.wait_for_text("Vandaag geregistreerd: 0")  # the form has its reference data
    page.screenshot("2-intake")

    # As in test_intake_screen: Beilen, 78, loneliness, a summary, the suggested route.
    page.type("be")
    page.press("tab")
    page.type("78")
    page.press("tab")
    page.press("tab")
    page.type("e")
    page.press("tab")
    page.type("alleen")
    # Shown once age and topic are known (the terminal redraws only what changes, so it
    # may have come before the summary was typed): the route that Ctrl+R takes.
    page.wait_for_text("Voorstel: Seniorenwerk")
    page.press("ctrl+r")
    page.press("ctrl+s")
    page.wait_for_text("Opgeslagen: nummer 1")
    page.screenshot("3-saved")
    assert db_rows(path, """SELECT village.name, age, route.code, summary FROM inquiry
                            JOIN village ON village.id = village_id
                            JOIN route ON route.id = route_id""") == [
        ("Beilen", 78, "senior_work", "alleen")]
    (origin,) = db_rows(path, "SELECT origin FROM audit_log WHERE action = 'register'")
    assert origin[0] == "web 127.0.0.1"

    # F10 ends the session; the page says so and offers a new one.
    page.press("f10")
    wait_until(lambda: page.evaluate("document.body.classList.contains('-closed')"), 20,
               "the page to show that the session ended", poll=page.pump)
    page.screenshot("4-ended")
    # The session's process writes its end as it closes, after the page has been told.
    assert wait_until(lambda: db_rows(path, "SELECT origin FROM audit_log WHERE action = "
                                            "'sign_out'"), 20, "the sign-out",
                      poll=page.pump) == [("web 127.0.0.1",)]
    again = time.monotonic()
    page.evaluate("document.querySelector('#restart').click()")
    focus_terminal(page)
    page.wait_for_text("Aanmelden bij balie", since=again)
    page.screenshot("5-login-again")
