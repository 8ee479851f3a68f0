"""Running a policy now and following its backup tasks like manual jobs.

`POST /backuppolicy/{id}/action` answers without ids: the run's tasks (one per linked
disk) are the ones that appear on top of `/backuppolicy/{id}/backuptasks` afterwards.
Each becomes a tracked job of kind `policy-run`, journaled as soon as it is seen, so a
restart resumes it like any other job.  Its port (`PolicyTaskPort`, chosen by the VBS
service's `for_job`) answers `get_job` from the policy's task list, so the tracker
follows it with the same backoff, forgotten-job and lost-access rules as a manual job.

The tasks of one run start together and are polled on the same schedule: one listing
of the policy's newest tasks (`TaskBoard`) answers all of them within a second,
instead of one request per disk.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from vbstui.cloud.client import CloudSession
from vbstui.cloud.error_codes import explain
from vbstui.cloud.errors import CloudError, NotFound, Reached
from vbstui.cloud.models import Backup, Job, Volume
from vbstui.cloud.policies import PolicyClient
from vbstui.cloud.policy_answers import PolicyTask
from vbstui.cloud.policy_models import Policy
from vbstui.cloud.validation import BackupRequest
from vbstui.jobs import Severity, TrackedJob
from vbstui.jobs.follow import apply_result
from vbstui.jobs.model import Kind, Phase
from vbstui.jobs.ports import BackupService as TrackedService
from vbstui.jobs.reconcile import newest
from vbstui.jobs.runtime import JobRuntime
from vbstui.jobs.tracker import JobTracker

BOARD_FRESH_SECONDS = 1.0  # a listing this young answers every task of the run
BOARD_PAGE = 100  # newest tasks per listing, at least
BOARD_PAGE_MAX = 1000  # at most: a run of more disks asks for the rest one by one
FIND_TASKS_SECONDS = 30.0  # how long to look for the tasks of a run that was accepted

# Task status -> the job status the tracker knows.  SKIP and EXECUTE_TIMEOUT made no
# backup: they end the job as failed, the message says which it was.
_JOB_STATUS = {"WAITING": "INIT", "RUNNING": "RUNNING", "EXECUTE_SUCCESS": "SUCCESS",
               "EXECUTE_FAIL": "FAIL", "EXECUTE_TIMEOUT": "FAIL", "SKIP": "FAIL"}
_WHY = {"EXECUTE_TIMEOUT": "the backup did not finish in time (EXECUTE_TIMEOUT)",
        "SKIP": "the service skipped this disk (SKIP): a backup or restore of it was "
                "already running"}


def job_from_task(task: PolicyTask, backup_id: str = "") -> Job:
    """A policy task as the tracker's `Job`: INIT, RUNNING, SUCCESS or FAIL, with the
    backup it made when that is known."""
    status = _JOB_STATUS.get(task.status, task.status)
    reason = "; ".join(t for t in (_WHY.get(task.status, ""), task.message) if t)
    return Job(job_id=task.job_id, status=status, job_type="policy-run",
               begin_time=task.created_at, end_time=task.finished_at,
               error_code=task.error_code, fail_reason=reason,
               entities={"backup_id": backup_id} if backup_id else {}, sub_jobs=(),
               raw=task.raw)


def task_problem(task: PolicyTask) -> str:
    """What went wrong with a task, in words ("" when nothing did): its error code with
    the catalogue's meaning, or why a SKIP / EXECUTE_TIMEOUT made no backup."""
    if task.error_code:
        return f"{task.error_code}: {explain(task.error_code, task.message or None).meaning}"
    return _WHY.get(task.status, "") or (task.message if task.status == "EXECUTE_FAIL" else "")


class TaskBoard:
    """The newest tasks of one policy, listed at most once per `fresh` seconds."""

    def __init__(self, client: PolicyClient, policy_id: str, *,
                 fresh: float = BOARD_FRESH_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.policy_id = policy_id
        self.fresh = fresh
        self.clock = clock
        self.listed_at: float | None = None
        self.tasks: dict[str, PolicyTask] = {}
        self.served: set[str] = set()  # tasks answered from the current listing
        self.wanted: set[str] = set()  # every task asked for
        self.full = False  # the last listing was a full page: older tasks may exist
        self._lock = asyncio.Lock()

    async def task(self, job_id: str) -> PolicyTask:
        """The task `job_id`; `NotFound` when the policy has no such task.  A listing
        answers each task once: the same task asked again is a new poll round."""
        async with self._lock:  # tasks polled together share one listing
            if not self._is_fresh() or job_id in self.served:
                await self._list()
            if job_id not in self.tasks and self.full:  # beyond the page: one wide listing
                await self._list(BOARD_PAGE_MAX)
            self.served.add(job_id)
            self.wanted.add(job_id)
            found = self.tasks.get(job_id)
            if found is None:  # older than the newest page: ask for it alone
                page, _count = await self.client.tasks(self.policy_id, job_id=job_id, limit=1)
                found = next((t for t in page if t.job_id == job_id), None)
        if found is None:
            raise NotFound(status=404, code=None, message=f"policy {self.policy_id} has no "
                           f"task {job_id}", method="GET", path="backuptasks")
        return found

    def _is_fresh(self) -> bool:
        return self.listed_at is not None and self.clock() - self.listed_at < self.fresh

    async def _list(self, limit: int | None = None) -> None:
        # Big enough for every task followed so far (a run has one per disk).
        limit = limit or min(BOARD_PAGE_MAX, max(BOARD_PAGE, len(self.wanted) + 10))
        page, _count = await self.client.tasks(self.policy_id, limit=limit)
        self.full = limit < BOARD_PAGE_MAX and len(page) >= limit
        self.tasks = {}
        for found in page:  # newest first: a task listed twice counts as its newest entry
            self.tasks.setdefault(found.job_id, found)
        self.served = set()
        self.listed_at = self.clock()


# One board per policy for each service object, so every port made for the run's jobs
# shares it; gone with the service.
_BOARDS: weakref.WeakKeyDictionary[object, dict[str, TaskBoard]] = weakref.WeakKeyDictionary()


def board_for(owner: object, client: PolicyClient, policy_id: str) -> TaskBoard:
    boards = _BOARDS.setdefault(owner, {})
    if policy_id not in boards:
        boards[policy_id] = TaskBoard(client, policy_id)
    return boards[policy_id]


def policy_of(job: TrackedJob) -> str:
    return str(job.request.get("policy_id", ""))


class PolicyTaskPort:
    """The tracker's calls for one policy-run job: its task from the policy's list,
    disks and backups from the VBS service; nothing is ever sent for it."""

    def __init__(self, service: TrackedService, client: PolicyClient, job: TrackedJob) -> None:
        self.service = service
        self.board = board_for(service, client, policy_of(job))

    async def project_id(self) -> str:
        return await self.service.project_id()

    async def get_job(self, job_id: str) -> Job:
        if not self.board.policy_id:  # a journal record without its policy: nothing to ask
            raise NotFound(status=404, code=None, message="the job does not say which policy "
                           "ran it", method="GET", path="backuptasks")
        task = await self.board.task(job_id)
        backup_id = await self._backup_of(task) if task.status == "EXECUTE_SUCCESS" else ""
        return job_from_task(task, backup_id)

    async def _backup_of(self, task: PolicyTask) -> str:
        """The backup a successful task made: the task list names no backup id, the VBS
        job behind the task does; without one, the disk's backup with the task's name."""
        if task.vbs_job_id:
            try:
                found = (await self.service.get_job(task.vbs_job_id)).backup_id
            except NotFound:  # the VBS job expired: the backup's name still tells
                found = ""
            if found:
                return found
        if not (task.resource_id and task.backup_name):
            return ""
        # Other errors propagate: the tracker polls again with its backoff.
        named = await self.service.find_backups(task.resource_id, task.backup_name)
        return newest(named).id if named else ""

    async def find_backups(self, volume_id: str, name: str) -> list[Backup]:
        return await self.service.find_backups(volume_id, name)

    async def get_backup(self, backup_id: str) -> Backup | None:
        return await self.service.get_backup(backup_id)

    async def get_volume(self, volume_id: str) -> Volume | None:
        return await self.service.get_volume(volume_id)

    async def create_backup(self, request: BackupRequest) -> str:
        raise _not_sent()

    async def restore_backup(self, backup_id: str, volume_id: str) -> str:
        raise _not_sent()

    async def delete_backup(self, backup_id: str) -> None:
        raise _not_sent()


def policy_task_port(service: TrackedService, session: CloudSession, job: TrackedJob
                     ) -> PolicyTaskPort:
    """The port of a policy-run job of the VBS service over `session`."""
    return PolicyTaskPort(service, PolicyClient(session), job)


def _not_sent() -> CloudError:
    error = CloudError("a policy's backup task is made by the policy, not sent by vbstui; "
                       "run the policy again instead")
    error.reached_server = Reached.NO
    return error


@dataclass
class RunStart:
    """What running a policy now started: its tasks as tracked jobs."""

    policy: Policy
    jobs: list[TrackedJob] = field(default_factory=list)
    accepted: bool = True  # False: the answer was lost and no task appeared
    message: str = ""


async def run_now(client: PolicyClient, tracker: JobTracker, policy: Policy, *,
                  run_id: str, volumes: Mapping[str, Volume] | None = None,
                  find_for: float = FIND_TASKS_SECONDS) -> RunStart:
    """Run `policy` now and take over the tasks it starts (journaled, RUNNING).

    The run request is sent once.  A refusal (AutoBackup.0225 already running, .1700 no
    disks) is raised as the service's error.  After an ambiguous failure the tasks are
    looked for anyway: if some appear the run happened, else `accepted` is False."""
    project_id = await tracker.service.project_id()
    before = {t.job_id for t in (await client.tasks(policy.id, limit=BOARD_PAGE))[0]}
    start = RunStart(policy)
    try:
        await client.execute_policy(policy.id)
    except CloudError as exc:
        if exc.reached_server is not Reached.MAYBE:
            raise
        start.message = f"the answer to the run request was lost ({exc.message})"
    expected = policy.resource_count
    rt = tracker.rt
    deadline = rt.clock() + find_for
    delays = tracker.poll.delays()
    seen: dict[str, PolicyTask] = {}
    while True:
        for task in await _new_tasks(client, policy.id, before, rt):
            if task.job_id not in seen:
                seen[task.job_id] = task
                start.jobs.append(_adopt(tracker, policy, task, run_id=run_id,
                                          project_id=project_id, volumes=volumes or {}))
        if (expected is not None and len(seen) >= expected) or rt.clock() >= deadline:
            break
        if expected is None and seen:
            break
        await rt.sleep(min(next(delays), max(0.1, deadline - rt.clock())))
    if not seen and start.message:
        start.accepted = False
    elif expected is not None and len(seen) < expected:
        start.message = (f"the policy has {expected} disks but only {len(seen)} backup "
                         f"tasks appeared within {find_for:g} s")
    return start


async def _new_tasks(client: PolicyClient, policy_id: str, before: set[str],
                     rt: JobRuntime) -> list[PolicyTask]:
    """The tasks on top of the policy's list (newest first) that were not there before the
    run, page after page until a known task or the end of the list."""
    found: list[PolicyTask] = []
    offset = 0
    while True:
        page, _count = await rt.call(
            lambda at=offset: client.tasks(policy_id, limit=BOARD_PAGE, offset=at))
        new = [t for t in page if t.job_id and t.job_id not in before]
        found += new
        if len(page) < BOARD_PAGE or len(new) < len(page):
            return found
        offset += len(page)


def _adopt(tracker: JobTracker, policy: Policy, task: PolicyTask, *, run_id: str,
           project_id: str, volumes: Mapping[str, Volume]) -> TrackedJob:
    volume = volumes.get(task.resource_id)
    job = TrackedJob(
        kind=Kind.POLICY_RUN, profile=tracker.profile, volume_id=task.resource_id,
        volume_name=volume.name if volume is not None else "",
        backup_name=task.backup_name, job_id=task.job_id, phase=Phase.RUNNING,
        status=_JOB_STATUS.get(task.status, task.status),
        request={"policy_id": policy.id, "policy_name": policy.name},
        submitted_at=tracker.rt.clock(), run_id=run_id, service="vbs", project_id=project_id,
    )
    tracker.rt.save(job)
    disk = job.volume_name or job.volume_id
    tracker.rt.emit(job, f"policy {policy.name} backs up {disk} as {job.label}: "
                         f"task {job.job_id} is {task.status}", Severity.INFO)
    if task.finished:  # refused at once (e.g. the disk's 20 backups): ended already
        apply_result(tracker.rt, job, job_from_task(task))
    return job
