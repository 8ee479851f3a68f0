"""At-most-once create: resend only what never arrived; look before sending again."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from cloudfake import FakeCloud, session

from vbstui.cloud.client import CloudSession
from vbstui.cloud.validation import BackupRequest, ValidationFailed
from vbstui.jobs import Phase, TrackedJob
from vbstui.jobs.timing import PollSchedule, ReconcilePolicy
from vbstui.jobs.tracker import JobTracker
from vbstui.local.journal import Journal
from vbstui.ops.service import VbsBackupService

VOLUME = "11111111-2222-4333-8444-555555555555"


class ScriptedVbs:
    """POST outcomes are scripted; a POST that 'arrives' creates a backup."""

    def __init__(self, script: list[str], *, backup_visible_after: int = 0,
                 job_polls_to_finish: int = 2, job_result: str = "SUCCESS") -> None:
        self.script = list(script)
        self.posts = 0
        self.arrived = 0
        self.backups: list[dict] = []
        self.backup_visible_after = backup_visible_after
        self.list_calls = 0
        self.job_polls = 0
        self.job_polls_to_finish = job_polls_to_finish
        self.job_result = job_result

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path.endswith("/cloudbackups"):
            self.posts += 1
            outcome = self.script.pop(0) if self.script else "ok"
            if outcome == "connect_refused":
                raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
            if outcome == "429":
                return httpx.Response(429, headers={"Retry-After": "0"}, json={
                    "error_code": "APIGW.0308", "error_msg": "throttled"})
            body = json.loads(request.content)["backup"]
            self.arrived += 1
            self.backups.append({"id": f"b{self.arrived}", "name": body["name"],
                                 "volume_id": body["volume_id"], "status": "creating",
                                 "created_at": "2026-11-27T10:00:00"})
            if outcome == "drop":
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.",
                                                request=request)
            if outcome == "read_timeout":
                raise httpx.ReadTimeout("timed out", request=request)
            if outcome == "500":
                return httpx.Response(500, json={"error": {"code": "VolumeBackup.0014",
                                                           "message": "internal"}})
            if outcome == "refuse_0012":
                self.backups.pop()
                return httpx.Response(400, json={"error": {"code": "VolumeBackup.0012",
                                                           "message": "bad status"}})
            return httpx.Response(200, json={"job_id": f"job{self.arrived}"})
        if path.endswith("/backups/detail"):
            self.list_calls += 1
            visible = self.list_calls > self.backup_visible_after
            found = [b for b in self.backups if visible
                     and b["volume_id"] == request.url.params.get("volume_id")
                     and b["name"] == request.url.params.get("name")]
            return httpx.Response(200, json={"backups": found})
        if re.search(r"/backups/b\d+$", path):
            backup = next(b for b in self.backups if path.endswith("/" + b["id"]))
            backup["status"] = "available"
            return httpx.Response(200, json={"backup": backup})
        if "/jobs/" in path:
            self.job_polls += 1
            done = self.job_polls >= self.job_polls_to_finish
            status = self.job_result if done else "RUNNING"
            body = {"status": status, "job_id": path.rsplit("/", 1)[-1],
                    "entities": {"backup_id": "b1"}}
            if status == "FAIL":
                body.update(error_code="VolumeBackup.0064", fail_reason="backup error")
            return httpx.Response(200, json=body)
        if "/cloudvolumes/" in path:
            return httpx.Response(200, json={"volume": {"id": VOLUME, "status": "available"}})
        return httpx.Response(404, json={"itemNotFound": {"code": 404, "message": path}})


async def no_sleep(seconds: float) -> None:
    return None


async def run_backup(tracker: JobTracker, request: BackupRequest, *, volume_name: str = "",
                     wait: bool = True) -> TrackedJob:
    """Submit one backup and, unless told not to, follow it to its end."""
    job = tracker.new_backup_job(request, volume_name=volume_name)
    await tracker.submit_backup(job)
    if wait:
        await tracker.follow(job)
    return job


def tracker_for(vbs: ScriptedVbs, events: list, journal: Journal | None = None,
                window: float = 0.2) -> tuple[JobTracker, CloudSession]:
    s = session(FakeCloud(vbs))
    tracker = JobTracker(
        VbsBackupService(s), profile="test", journal=journal, listener=events.append,
        poll=PollSchedule(first=0, factor=1, maximum=0),
        reconcile=ReconcilePolicy(window=window, interval=0.01), sleep=no_sleep,
    )
    return tracker, s


REQUEST = BackupRequest(volume_id=VOLUME, name="nightly-1")


async def test_clean_submit_and_follow_to_success() -> None:
    vbs = ScriptedVbs(["ok"])
    events: list = []
    tracker, s = tracker_for(vbs, events)
    job = await run_backup(tracker, REQUEST)
    await s.aclose()
    assert job.phase is Phase.SUCCESS and job.backup_id == "b1" and job.job_id == "job1"
    assert vbs.posts == 1
    texts = [e.text for e in events]
    assert any("submitted" in t and "job1" in t for t in texts)
    assert any("succeeded" in t and "b1" in t for t in texts)


@pytest.mark.parametrize("failure", ["connect_refused", "429"])
async def test_requests_that_never_arrived_are_sent_again(failure: str) -> None:
    vbs = ScriptedVbs([failure, failure, "ok"])
    tracker, s = tracker_for(vbs, [])
    job = await run_backup(tracker, REQUEST)
    await s.aclose()
    assert vbs.posts == 3 and vbs.arrived == 1
    assert job.phase is Phase.SUCCESS


@pytest.mark.parametrize("failure", ["drop", "read_timeout", "500"])
async def test_ambiguous_failure_is_never_resent_and_backup_is_adopted(failure: str) -> None:
    vbs = ScriptedVbs([failure], backup_visible_after=2)
    events: list = []
    tracker, s = tracker_for(vbs, events, window=5)
    job = await run_backup(tracker, REQUEST)
    await s.aclose()
    assert vbs.posts == 1  # never sent twice
    assert len(vbs.backups) == 1
    assert job.recovered and job.backup_id == "b1"
    assert job.phase is Phase.SUCCESS
    assert any("recovered after a network error" in e.text for e in events)


async def test_ambiguous_failure_without_a_trace_becomes_unknown_not_resent() -> None:
    vbs_backups_hidden = ScriptedVbs(["drop"], backup_visible_after=10**6)
    events: list = []
    tracker, s = tracker_for(vbs_backups_hidden, events, window=0.05)
    job = await run_backup(tracker, REQUEST)
    await s.aclose()
    assert vbs_backups_hidden.posts == 1
    assert job.phase is Phase.UNKNOWN
    assert "outcome unknown" in job.message
    assert events[-1].severity.value == "error"


async def test_an_older_backup_with_the_same_name_is_not_mistaken_for_ours() -> None:
    vbs = ScriptedVbs(["ok", "drop"])
    tracker, s = tracker_for(vbs, [], window=0.05)
    first = await run_backup(tracker, REQUEST)
    assert first.phase is Phase.SUCCESS
    # The second POST arrives (b2) but its answer is lost: only b2, not the older
    # namesake b1, may be adopted.
    second = await run_backup(tracker, REQUEST)
    await s.aclose()
    assert second.recovered and second.backup_id == "b2"


async def test_refusal_is_final_with_code() -> None:
    vbs = ScriptedVbs(["refuse_0012"])
    events: list = []
    tracker, s = tracker_for(vbs, events)
    job = await run_backup(tracker, REQUEST)
    await s.aclose()
    assert job.phase is Phase.REFUSED and job.error_code == "VolumeBackup.0012"
    assert vbs.posts == 1
    # The job keeps the server's words; the meaning is said once, in the event.
    assert job.message == "HTTP 400 VolumeBackup.0012: bad status"
    assert any("available" in e.text for e in events if e.job is job)


async def test_failed_job_reports_code_explanation_and_action() -> None:
    vbs = ScriptedVbs(["ok"], job_result="FAIL")
    events: list = []
    tracker, s = tracker_for(vbs, events)
    job = await run_backup(tracker, REQUEST)
    await s.aclose()
    assert job.phase is Phase.FAILED and job.error_code == "VolumeBackup.0064"
    last = events[-1].text
    assert "VolumeBackup.0064" in last and "→" in last and "backup error" in last


async def test_journal_holds_the_job_before_the_request_is_answered(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "jobs.sqlite3")
    seen_in_journal: list[list[dict]] = []

    class Spy(ScriptedVbs):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST":
                seen_in_journal.append(journal.unfinished(profile="test"))
            return super().__call__(request)

    vbs = Spy(["ok"])
    tracker, s = tracker_for(vbs, [], journal=journal)
    job = await run_backup(tracker, REQUEST)
    await s.aclose()
    [before] = seen_in_journal
    assert before[0]["local_id"] == job.local_id
    assert before[0]["phase"] == "submitting"
    assert before[0]["backup_name"] == "nightly-1"
    assert journal.unfinished(profile="test") == []
    assert journal.history()[0]["phase"] == "success"
    assert (tmp_path / "jobs.sqlite3").stat().st_mode & 0o077 == 0
    journal.close()


async def test_resume_of_an_interrupted_submission_looks_instead_of_resending(
        tmp_path: Path) -> None:
    journal = Journal(tmp_path / "jobs.sqlite3")
    vbs = ScriptedVbs(["ok"])
    tracker, s = tracker_for(vbs, [], journal=journal, window=1)
    job = tracker.new_backup_job(REQUEST)
    job.project_id = "0123456789abcdef0123456789abcdef"
    # The process died right after sending: the server created b1, we never saw job1.
    journal.save(job.to_record(), finished=False)
    vbs.backups.append({"id": "b1", "name": "nightly-1", "volume_id": VOLUME,
                        "status": "creating"})
    [pending] = tracker.unfinished()
    resumed = await tracker.resume(pending)
    await s.aclose()
    assert vbs.posts == 0
    assert resumed.phase is Phase.SUCCESS and resumed.backup_id == "b1" and resumed.recovered
    journal.close()


async def test_an_invalid_request_is_neither_sent_nor_journaled() -> None:
    journal = Journal(None)
    vbs = ScriptedVbs(["ok"])
    events: list = []
    tracker, s = tracker_for(vbs, events, journal=journal)
    job = tracker.new_backup_job(BackupRequest(volume_id=VOLUME, name="n" * 70))
    with pytest.raises(ValidationFailed) as failed:
        await tracker.submit_backup(job)
    await s.aclose()
    assert "name" in failed.value.problems
    assert journal.unfinished(profile="test") == [] and journal.history() == []
    assert vbs.posts == 0 and events == []
    journal.close()
