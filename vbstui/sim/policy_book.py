"""The books of the simulated VBS policy service: policies, their tasks, and the
states of those tasks, which follow from their VBS create jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vbstui.sim.envelopes import VbsError
from vbstui.sim.ids import derived_uuid
from vbstui.sim.models import FAIL, INIT, RUNNING
from vbstui.sim.policy_models import (
    ACTIVE,
    DEFAULT_POLICY,
    SUCCESS,
    TIMEOUT,
    TIMEOUT_CODE,
    WAITING,
    PolicySeed,
    PolicyTask,
    VbsPolicy,
)
from vbstui.sim.policy_models import FAIL as TASK_FAIL
from vbstui.sim.policy_models import RUNNING as TASK_RUNNING
from vbstui.sim.policy_rules import error

if TYPE_CHECKING:
    from vbstui.sim.world import SimWorld


def not_found(policy_id: str) -> VbsError:
    return error("AutoBackup.0205", f"The policy does not exist: {policy_id}.", 404)


class PolicyBook:
    def __init__(self, world: SimWorld) -> None:
        self.world = world
        self.install(PolicySeed())

    # -- books ---------------------------------------------------------------------------

    def install(self, seed: PolicySeed) -> None:
        self.policies: dict[str, VbsPolicy] = {p.id: p for p in seed.policies}
        self.tasks: dict[str, list[PolicyTask]] = {p: [] for p in self.policies}
        self.task_of_job: dict[str, PolicyTask] = {}
        for task in sorted(seed.tasks, key=lambda t: t.created_at):
            if task.policy_id in self.tasks:
                self.tasks[task.policy_id].append(task)
                if task.vbs_job_id is not None:
                    self.task_of_job[task.vbs_job_id] = task
        if not any(p.is_default for p in self.policies.values()):
            self._add_default()

    def _add_default(self) -> None:
        """The built-in policy every VBS project has: listed first, OFF."""
        policy = VbsPolicy(
            id=derived_uuid("vbs-default-policy", self.world.config.project_id),
            name=DEFAULT_POLICY, start_times=["00:00"], frequency=1, week_days=[],
            keep_count=7, keep_days=None, keep_first_of_month=False, enabled=False,
            created_at=self.world.started_at)
        self.policies = {policy.id: policy, **self.policies}
        self.tasks.setdefault(policy.id, [])

    def seed(self) -> PolicySeed:
        tasks = [t for tasks in self.tasks.values() for t in tasks]
        return PolicySeed(list(self.policies.values()), tasks, [])

    def get(self, policy_id: str) -> VbsPolicy:
        policy = self.policies.get(policy_id)
        if policy is None:
            raise not_found(policy_id)
        return policy

    # -- tasks ----------------------------------------------------------------------------

    def status(self, task: PolicyTask, now: float) -> str:
        job = self.world.jobs.get(task.vbs_job_id or "")
        if job is None:
            return task.status or TASK_FAIL
        state = job.status(now)
        if state == INIT:
            return WAITING
        if state == RUNNING:
            return TASK_RUNNING
        if state == FAIL:
            return TIMEOUT if job.error_code == TIMEOUT_CODE else TASK_FAIL
        return SUCCESS

    def finished_at(self, task: PolicyTask, now: float) -> float | None:
        job = self.world.jobs.get(task.vbs_job_id or "")
        if job is None:
            return task.finished_at
        return job.end if now >= job.end else None

    def failure(self, task: PolicyTask) -> tuple[str | None, str | None]:
        job = self.world.jobs.get(task.vbs_job_id or "")
        if job is not None:
            return job.error_code, job.fail_reason
        return task.code, task.message

    def is_executing(self, policy: VbsPolicy, now: float) -> bool:
        tasks = self.tasks.get(policy.id, [])
        if not tasks:
            return False
        last = tasks[-1].created_at
        return any(self.status(t, now) in ACTIVE for t in reversed(tasks)
                   if t.created_at == last)
