"""Issue 12, item 10: server text never reaches a terminal (or the log) as escapes.

The real CLI against `hostile.Hostile`, whose backups and jobs carry ESC/OSC sequences,
a C1 CSI (U+009B) and a bidi override (U+202E) in their status, names, codes and ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from faultkit import Client, no_traceback
from hostile import PROJECT, VOLUME, Hostile, json_reply

OSC = "\x1b]0;pwned-title\x07"
BACKUP = "0b0b0b0b-0000-4000-8000-00000000beef"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def hostile_backup() -> dict[str, object]:
    return {"id": BACKUP, "name": f"nightly{OSC}", "status": f"creating{OSC}",
            "volume_id": VOLUME, "size": 10, "description": "fine\u202eevil\x9b31m",
            "created_at": "2026-11-27T10:00:00"}


@pytest.fixture
def server() -> Iterator[Hostile]:
    with Hostile() as hostile:
        hostile.route("GET", rf"/v2/{PROJECT}/backups/{BACKUP}",
                      lambda _: json_reply({"backup": hostile_backup()}))
        hostile.route("GET", rf"/v2/{PROJECT}/backups/detail",
                      lambda _: json_reply({"backups": [hostile_backup()], "count": 1}))
        hostile.route("GET", rf"/v1/{PROJECT}/jobs/[^/]+", lambda _: json_reply({
            "job_id": "0123abcd", "job_type": "bksCreateBackup", "status": "FAIL",
            "entities": {"volume_id": VOLUME}, "error_code": f"VolumeBackup.0064{OSC}",
            "fail_reason": f"disk is gone{OSC}\x9b2J"}))
        yield hostile


def assert_nothing_raw(*texts: str) -> None:
    for text in texts:
        for char in RAW:
            assert char not in text, (char, text)


@pytest.mark.parametrize("args", [
    ("backup", "delete", BACKUP, "--yes"),
    ("backup", "delete", BACKUP, "--yes", "--json"),
    ("backup", "restore", BACKUP, "--yes"),
    ("backups",),
    ("backups", "--json"),
    ("job", "show", "0123abcd"),
    ("job", "show", "0123abcd", "--json"),
])
def test_server_text_is_shown_never_obeyed(args: tuple[str, ...], server: Hostile,
                                           clients: Callable[..., Client]) -> None:
    client = clients(server.auth_url, endpoints={})
    result = client.run(*args, timeout=60)
    no_traceback(result)
    assert_nothing_raw(result.stdout, result.stderr)
    shown = result.stdout + result.stderr
    assert "pwned-title" in shown  # the text is there, made visible, not dropped
    assert "\\e]0;pwned-title\\a" in shown or "\\u001b]0;pwned-title\\u0007" in shown
    log = "".join(p.read_text(errors="replace") for p in (client.root / "log").glob("*.log*"))
    assert_nothing_raw(log)


def test_a_failed_job_with_hostile_text_leaves_the_terminal_and_the_log_clean(
        server: Hostile, clients: Callable[..., Client]) -> None:
    server.route("POST", rf"/v2/{PROJECT}/cloudbackups",
                 lambda _: json_reply({"job_id": "0123abcd"}))
    client = clients(server.auth_url, endpoints={})
    result = client.run("backup", "create", "--volume", VOLUME, "--name", "n1", "--wait",
                        timeout=60)
    no_traceback(result)
    assert result.returncode == 1, str(result)  # the service said FAIL
    assert "disk is gone" in result.stderr
    log = "".join(p.read_text(errors="replace") for p in (client.root / "log").glob("*.log*"))
    assert "disk is gone" in log  # the event was logged ...
    assert_nothing_raw(result.stdout, result.stderr, log)  # ... and made visible
