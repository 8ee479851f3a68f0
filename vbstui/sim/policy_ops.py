"""The simulated VBS backup-policy service: policies, linked disks, runs and retention.

Every operation takes the world's lock and applies due events first, like `SimState`.
A run (scheduled or run-now) starts one ordinary VBS create job per linked disk through
the world's own create path, so limits, quotas, faults and jobs behave as for a manual
backup.  Ids of scheduled runs are derived from the policy, the start time and the
disk, so every process that loads a saved world and lets time pass makes the same
backups (see `vbstui.sim.persist`).
"""

from __future__ import annotations

from datetime import datetime, timezone

from vbstui.sim.envelopes import VbsError
from vbstui.sim.ids import derived_hex, derived_uuid
from vbstui.sim.injector import CREATE_FAILURES
from vbstui.sim.models import Job
from vbstui.sim.policy_models import (
    ACTIVE,
    DEFAULT_POLICY,
    SKIP,
    TASK_KEEP_DAYS,
    TIMEOUT_CODE,
    PolicyTask,
    VbsPolicy,
)
from vbstui.sim.policy_models import FAIL as TASK_FAIL
from vbstui.sim.policy_queries import PolicyQueries
from vbstui.sim.policy_rules import PolicyFields, error
from vbstui.sim.policy_schedule import DAY, next_run
from vbstui.sim.rules import CreateRequest

AUTO_PREFIX = "autobk_"
POLICY_FAILURES = (*CREATE_FAILURES, (TIMEOUT_CODE, "Failed to query the backup status."))
CATCH_UP_DAYS = 31  # older missed starts are skipped, not replayed
LINKABLE_NOT = frozenset({"error", "error_restoring", "error_extending", "error_deleting",
                          "deleting", "creating", "downloading", "awaiting-transfer",
                          "error_rollbacking"})
BUSY = frozenset({"backing-up", "restoring-backup"})


class PolicyService(PolicyQueries):
    # -- time -----------------------------------------------------------------------------

    def next_due(self) -> tuple[float, VbsPolicy] | None:
        """The earliest start of an ON policy (the world's clock asks before each step)."""
        due = [(p.next_run, p.id, p) for p in self.policies.values()
               if p.enabled and p.next_run is not None]
        if not due:
            return None
        when, _, policy = min(due, key=lambda item: (item[0], item[1]))
        return when, policy

    def run_scheduled(self, policy: VbsPolicy, when: float, now: float) -> None:
        """The start at `when` has come (called by the world's clock, in time order)."""
        policy.next_run = next_run(policy, max(when, now - CATCH_UP_DAYS * DAY))
        if when >= now - CATCH_UP_DAYS * DAY:
            self._run(policy, when, tag=f"{when!r}")
        cutoff = when - TASK_KEEP_DAYS * DAY
        for tasks in self.tasks.values():
            while tasks and tasks[0].created_at < cutoff and self.status(tasks[0], when) \
                    not in ACTIVE:
                dropped = tasks.pop(0)
                self.task_of_job.pop(dropped.vbs_job_id or "", None)

    def _reschedule(self, policy: VbsPolicy, now: float) -> None:
        policy.next_run = next_run(policy, now) if policy.enabled else None

    # -- runs -----------------------------------------------------------------------------

    def _run(self, policy: VbsPolicy, when: float, *, tag: str) -> list[PolicyTask]:
        world = self.world
        started = []
        for volume_id in list(policy.resources):
            task_id = derived_uuid("vbs-policy-task", policy.id, tag, volume_id)
            task = PolicyTask(id=task_id, policy_id=policy.id, volume_id=volume_id,
                              backup_name=AUTO_PREFIX + derived_hex("autobk", task_id)[:4],
                              created_at=when)
            volume = world._volumes_by_id.get(volume_id)
            if volume is not None and (volume_id in world._running_create
                                       or volume.status in BUSY):
                self._ended(task, SKIP, "VolumeBackup.0013", "The previous backup creation "
                            "task is not complete (or the disk is being restored).", when)
            elif volume is None:
                self._ended(task, TASK_FAIL, "VolumeBackup.0021",
                            "The EVS disk does not exist or has been deleted.", when)
            else:
                request = CreateRequest(volume_id=volume_id, name=task.backup_name,
                                        description="", snapshot_id=None, full_backup=False,
                                        tags=[dict(t) for t in policy.tags])
                try:
                    job_id = world._start_create(volume, request, when, failures=POLICY_FAILURES,
                                                 job_id=derived_hex("vbs-policy-job", task_id))
                except VbsError as exc:
                    self._ended(task, TASK_FAIL, exc.code, exc.message, when)
                else:
                    task.vbs_job_id = job_id
                    self.task_of_job[job_id] = task
            self.tasks[policy.id].append(task)
            started.append(task)
        return started

    @staticmethod
    def _ended(task: PolicyTask, status: str, code: str, message: str, when: float) -> None:
        task.status, task.code, task.message, task.finished_at = status, code, message, when

    def job_done(self, job: Job, when: float) -> None:
        """A create job ended: a policy task's backup is kept, then retention runs."""
        task = self.task_of_job.get(job.id)
        if task is None or task.retained or job.fails:
            return
        task.retained = True
        policy = self.policies.get(task.policy_id)
        if policy is not None:
            self._retain(policy, task.volume_id, when)

    def _retain(self, policy: VbsPolicy, volume_id: str, when: float) -> None:
        """Delete the disk's automatic backups the policy no longer keeps (manual backups
        are never touched: console guide)."""
        world = self.world
        autos = sorted((b for b in world.backups_of(volume_id)
                        if (b.name or "").startswith(AUTO_PREFIX)
                        and b.status in ("available", "error")),
                       key=lambda b: (b.created_at, b.id), reverse=True)
        month = datetime.fromtimestamp(when, tz=timezone.utc).strftime("%Y-%m")
        in_month = [b for b in autos
                    if datetime.fromtimestamp(b.created_at, tz=timezone.utc)
                    .strftime("%Y-%m") == month]
        first_of_month = in_month[-1].id if policy.keep_first_of_month and in_month else None
        protected = world.protected_backups(volume_id)
        for index, backup in enumerate(autos):
            if policy.keep_count is not None:
                keep = index < policy.keep_count
            else:
                keep = backup.created_at >= when - (policy.keep_days or 0) * DAY
            if keep or backup.id == first_of_month or backup.id in protected:
                continue
            world._start_delete(backup, when)

    # -- requests -------------------------------------------------------------------------

    def create(self, fields: PolicyFields) -> str:
        with self.world.lock:
            now = self.world._advance()
            created = sum(not p.is_default for p in self.policies.values())
            limit = self.world.config.vbs_policy_limit
            if created >= limit:
                raise error("AutoBackup.0203", "The number of existing backup policies has "
                            f"reached the upper limit ({limit} besides the default policy).")
            policy = VbsPolicy(
                id=self.world._ids.uuid(), name=fields.name or "",
                start_times=fields.start_times or [], frequency=fields.frequency,
                week_days=fields.week_days or [], keep_count=fields.keep_count,
                keep_days=fields.keep_days,
                keep_first_of_month=bool(fields.keep_first_of_month),
                enabled=bool(fields.enabled), created_at=now, time_zone=fields.time_zone,
                tags=fields.tags or [])
            self.policies[policy.id] = policy
            self.tasks[policy.id] = []
            self._reschedule(policy, now)
            self.world.revision += 1
            return policy.id

    def modify(self, policy_id: str, fields: PolicyFields) -> str:
        with self.world.lock:
            now = self.world._advance()
            policy = self.get(policy_id)
            if fields.name is not None and fields.name != policy.name:
                if policy.is_default:
                    raise error("AutoBackup.0100", "The tenant cannot modify the default "
                                "backup policy: it cannot be renamed.")
                if fields.name == DEFAULT_POLICY:
                    raise error("AutoBackup.0102", "The parameter of the backup policy name "
                                "is invalid: it cannot start with default.")
                policy.name = fields.name
            if fields.start_times is not None:
                policy.start_times = fields.start_times
            if fields.frequency is not None:
                policy.frequency, policy.week_days = fields.frequency, []
            elif fields.week_days is not None:
                policy.frequency, policy.week_days = None, fields.week_days
            if fields.keep_count is not None:
                policy.keep_count, policy.keep_days = fields.keep_count, None
            elif fields.keep_days is not None:
                policy.keep_count, policy.keep_days = None, fields.keep_days
            if fields.keep_first_of_month is not None:
                policy.keep_first_of_month = fields.keep_first_of_month
            if fields.enabled is not None:
                policy.enabled = fields.enabled
            if fields.time_zone is not None:
                policy.time_zone = fields.time_zone
            if fields.tags is not None:
                policy.tags = fields.tags
            self._reschedule(policy, now)
            self.world.revision += 1
            return policy.id

    def delete(self, policy_id: str) -> None:
        with self.world.lock:
            now = self.world._advance()
            policy = self.get(policy_id)
            if policy.is_default:
                raise error("AutoBackup.0100", "The tenant cannot modify the default backup "
                            "policy: it cannot be deleted.")
            if self.is_executing(policy, now):
                raise error("AutoBackup.1300", "Failed to delete the policy: it is being "
                            "executed; wait until its backup jobs end.")
            for volume_id in policy.resources:
                self.world._volumes_by_id[volume_id].vbs_policy = None
            del self.policies[policy_id]
            for task in self.tasks.pop(policy_id):
                self.task_of_job.pop(task.vbs_job_id or "", None)
            self.world.revision += 1

    def execute(self, policy_id: str) -> None:
        with self.world.lock:
            now = self.world._advance()
            policy = self.get(policy_id)
            if self.is_executing(policy, now):
                raise error("AutoBackup.0225", "The policy is being executed.")
            if not policy.resources:
                raise error("AutoBackup.1700", "Failed to execute the backup policy: no disk "
                            "is associated with it.")
            self._run(policy, now, tag=f"now/{self.world._ids.hex32()}")
            self.world.revision += 1

    def associate(self, policy_id: object, resources: object
                  ) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        with self.world.lock:
            self.world._advance()
            if not isinstance(policy_id, str) or not policy_id:
                raise error("AutoBackup.0006", "The policy ID contained in the request is empty.")
            policy = self.get(policy_id)
            if not isinstance(resources, list) or not resources:
                raise error("AutoBackup.0207", "The resource to be associated is empty.")
            success, failed = [], []
            for item in resources:
                resource_id, problem = self._linkable(item)
                if problem is None:
                    self._link(policy, resource_id)
                    success.append(self._resource_json(resource_id))
                else:
                    code, message = problem
                    failed.append({**self._resource_json(resource_id), "code": code,
                                   "message": message})
            self.world.revision += 1
            return success, failed

    def _linkable(self, item: object) -> tuple[str, tuple[str, str] | None]:
        if not isinstance(item, dict):
            return "", ("AutoBackup.0209", "The resource ID or name is empty.")
        resource_id = item.get("resource_id")
        if not isinstance(resource_id, str) or not resource_id:
            return "", ("AutoBackup.0209", "The resource ID or name is empty.")
        if item.get("resource_type") != "volume":
            return resource_id, ("AutoBackup.0211", "The resource type is invalid: volume.")
        volume = self.world._volumes_by_id.get(resource_id)
        if volume is None:
            return resource_id, ("AutoBackup.1400", "The resource to be associated is "
                                 "invalid: no such disk.")
        if volume.status in LINKABLE_NOT:
            return resource_id, ("AutoBackup.0206", "The status of the disk to be associated "
                                 f"is invalid: {volume.status}.")
        if resource_id in self.world.cbr.vault_of:
            return resource_id, ("AutoBackup.1400", "The resource to be associated is "
                                 "invalid: the disk is in a CBR vault.")
        return resource_id, None

    def _link(self, policy: VbsPolicy, volume_id: str) -> None:
        volume = self.world._volumes_by_id[volume_id]
        old = self.policies.get(volume.vbs_policy or "")
        if old is policy:
            return
        if old is not None:  # a disk belongs to one policy: linking elsewhere moves it
            old.resources.remove(volume_id)
        policy.resources.append(volume_id)
        volume.vbs_policy = policy.id

    def _resource_json(self, resource_id: str) -> dict[str, str]:
        volume = self.world._volumes_by_id.get(resource_id)
        entry = {"resource_id": resource_id, "resource_type": "volume"}
        if volume is not None:
            entry["availability_zone"] = volume.availability_zone
            entry["os_vol_host_attr"] = f"pod{int(volume.id[0], 16) % 9 + 1:02d}." \
                                        f"{volume.availability_zone}"
        return entry

    def disassociate(self, policy_id: str, resources: object
                     ) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        with self.world.lock:
            self.world._advance()
            policy = self.get(policy_id)
            if not isinstance(resources, list) or not resources:
                raise error("AutoBackup.0207", "The resource to be disassociated is empty.")
            success, failed = [], []
            for item in resources:
                resource_id = item.get("resource_id") if isinstance(item, dict) else None
                if not isinstance(resource_id, str) or not resource_id:
                    failed.append({"resource_id": "", "code": "AutoBackup.0209",
                                   "message": "The resource ID or name is empty."})
                elif resource_id not in policy.resources:
                    failed.append({"resource_id": resource_id, "code": "AutoBackup.1400",
                                   "message": "The disk is not associated with this policy."})
                else:
                    policy.resources.remove(resource_id)
                    self.world._volumes_by_id[resource_id].vbs_policy = None
                    success.append({"resource_id": resource_id})
            self.world.revision += 1
            return success, failed
