"""What vbstui does when the server (or a URL) cannot be trusted, through the real CLI.

Each test drives `python -m vbstui` against `hostile.Hostile`, a loopback server that
answers the way no real service should: a name that merely looks local, ids that
would move a request to another path, a job id carrying a header, a body trickled a
byte at a time, JSON nested 100,000 deep.  The server records what arrived, so the
tests can say what was (not) sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import quote

import pytest
from faultkit import Client, no_traceback
from hostile import PROJECT, TOKEN, VOLUME, Hostile, Reply, Seen, deep_json, json_reply


@pytest.fixture
def server() -> Iterator[Hostile]:
    with Hostile() as hostile:
        yield hostile


def requests_with_token(server: Hostile) -> list[Seen]:
    return [r for r in server.seen() if TOKEN in r.head.decode("latin-1")]


# -- item 2: plain http only to loopback, decided by address -------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1.attacker.localhost", "demo.localhost"])
def test_plain_http_to_a_localhost_lookalike_is_refused(
        server: Hostile, clients: Callable[..., Client], host: str) -> None:
    """`*.localhost` is resolved by DNS like any name: no plain http, nothing sent."""
    result = clients(f"http://{host}:{server.port}/v3").run("volumes", timeout=60)
    no_traceback(result)
    assert result.returncode == 3, str(result)
    assert "plain http" in result.stderr, str(result)
    assert server.seen() == []


def test_plain_http_to_the_name_localhost_goes_to_loopback(
        clients: Callable[..., Client]) -> None:
    """The name `localhost` is allowed; it is resolved, checked and connected to by
    address, and the server still sees its name in the Host header."""
    with Hostile(catalog_host="localhost") as server:
        result = clients(server.auth_url).run("volumes", "--json", timeout=60)
        no_traceback(result)
        assert result.returncode == 0, str(result)
        assert [v["id"] for v in result.json()["volumes"]] == [VOLUME]
        seen = server.seen()
        assert seen, "nothing arrived"
        assert {r.headers["host"] for r in seen} == {f"localhost:{server.port}"}


# -- item 3: ids are one path segment ------------------------------------------------------


def job_answer(seen: Seen) -> Reply:
    return json_reply({"status": "RUNNING", "job_type": "bksCreateBackup"})


@pytest.mark.parametrize("job_id", ["../../../../v3/auth/tokens", "abc?x=1#frag", "a/b",
                                    "%2e%2e", "..%2f..%2fv3"])
def test_job_id_from_the_command_line_stays_in_the_job_path(
        server: Hostile, clients: Callable[..., Client], job_id: str) -> None:
    server.route("GET", rf"/v1/{PROJECT}/jobs/[^/?#]+", job_answer)
    result = clients(server.auth_url).run("job", "show", job_id, "--json", timeout=60)
    no_traceback(result)
    assert result.returncode == 0, str(result)
    gets = server.seen("GET")
    assert [(r.path, r.query) for r in gets] == [
        (f"/v1/{PROJECT}/jobs/{quote(job_id, safe='')}", "")]
    # The token went out once to IAM (as the answer) and only ever to the job path.
    assert [r.path for r in requests_with_token(server)] == [gets[0].path]
    assert not any(r.method == "GET" and r.path.startswith("/v3") for r in server.seen())


@pytest.mark.parametrize("job_id", ["abc\r\nX-Injected: 1", "x" * 200, "..", "", "a\x00b"])
def test_impossible_job_ids_are_refused_before_sending(
        server: Hostile, clients: Callable[..., Client], job_id: str) -> None:
    if "\x00" in job_id:
        job_id = job_id.replace("\x00", "\x1b")  # argv cannot carry NUL; ESC is as bad
    server.route("GET", rf"/v1/{PROJECT}/jobs/.*", job_answer)
    result = clients(server.auth_url).run("job", "show", job_id, timeout=60)
    no_traceback(result)
    assert result.returncode == 2, str(result)
    assert "job id" in result.stderr and "nothing was sent" in result.stderr, str(result)
    assert not any("/jobs" in r.path for r in server.seen())
    assert not any(b"X-Injected" in r.head for r in server.seen())


# -- item 8: a job id with control characters in a create answer ---------------------------


def test_create_answer_with_a_header_in_the_job_id_is_unusable(
        server: Hostile, clients: Callable[..., Client]) -> None:
    """The request reached the service, so the outcome is unknown: one POST, never a
    second, and the id goes nowhere (no poll, no header line)."""
    server.route("POST", rf"/v2/{PROJECT}/cloudbackups",
                 json_reply({"job_id": "abc\r\nX-Injected: 1"}))
    client = clients(server.auth_url,
                     jobs={"reconcile_seconds": 2, "reconcile_quiet_seconds": 1})
    result = client.run("backup", "create", "--volume", VOLUME, "--name", "trust-1",
                        timeout=90)
    no_traceback(result)
    assert "internal error" not in result.stderr, str(result)
    assert result.returncode == 4, str(result)
    assert "job_id is not a VBS job id" in result.stderr + result.stdout, str(result)
    assert len([r for r in server.seen("POST") if r.path.endswith("/cloudbackups")]) == 1
    assert not any(b"X-Injected" in r.head for r in server.seen())
    assert not any("/jobs/" in r.path for r in server.seen())


# -- item 9: an overall deadline per request -----------------------------------------------


def test_trickling_server_cannot_hold_a_read_past_its_deadline(
        server: Hostile, clients: Callable[..., Client]) -> None:
    """Every byte arrives well inside the 0.5 s read timeout, so only the whole-request
    deadline (twice `read`: 1 s) ends each attempt; the retries give up in time."""
    body = json_reply({"volumes": [server.volume()] * 3, "count": 3}).body
    server.route("GET", rf"/v2/{PROJECT}/cloudvolumes/detail",
                 Reply(body=body, trickle=0.2))
    assert len(body) * 0.2 > 60, "the trickle must outlast the test without a deadline"
    result = clients(server.auth_url, timeouts={"read": 0.5}).run("volumes", timeout=60)
    no_traceback(result)
    assert result.returncode == 1, str(result)
    assert "no complete answer within 1 s" in result.stderr, str(result)
    # 5 attempts of 1 s and at most 7.5 s of jittered waits, plus start-up.
    assert result.seconds < 40, str(result)
    assert "internal error" not in result.stderr


# -- item 11: deep JSON --------------------------------------------------------------------


DEEP = 100_000


@pytest.mark.parametrize("where", ["iam", "evs", "evs-error"])
def test_deeply_nested_json_is_a_clear_error(
        server: Hostile, clients: Callable[..., Client], where: str) -> None:
    if where == "iam":
        server.route("POST", r"/v3/auth/tokens", Reply(
            status=201, body=deep_json(DEEP, "token"), headers={"X-Subject-Token": TOKEN}))
    else:
        server.route("GET", rf"/v2/{PROJECT}/cloudvolumes/detail", Reply(
            status=200 if where == "evs" else 400, body=deep_json(DEEP, "volumes")))
    result = clients(server.auth_url).run("volumes", timeout=60)
    no_traceback(result)
    assert result.returncode == 1, str(result)
    assert "internal error" not in result.stderr, str(result)
    assert "RecursionError" not in result.stderr
    assert "nested" in result.stderr, str(result)
