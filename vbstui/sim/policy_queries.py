"""Read side of the simulated VBS policy service, and policy tags.

The JSON shapes are those of the API pages: the policy list, the tasks of a policy,
the tags of one policy and of all, and the query of policies by tag.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from vbstui.sim.policy_book import PolicyBook
from vbstui.sim.policy_models import PolicyTask, VbsPolicy
from vbstui.sim.policy_rules import TAGS_MAX, check_delete_tag, check_tag, check_tags, error
from vbstui.sim.serialize import JsonDict
from vbstui.sim.timefmt import policy_time

if TYPE_CHECKING:  # built by the route that lists a policy's tasks
    from vbstui.sim.policy_filters import TaskQuery

TAG_FILTERS = ("tags", "tags_any", "not_tags", "not_tags_any")
FILTER_LIMIT = 1000


def policy_json(policy: VbsPolicy) -> JsonDict:
    schedule: JsonDict = {
        "remain_first_backup_of_curMonth": "Y" if policy.keep_first_of_month else "N",
        "start_time": ",".join(policy.start_times),
        "status": "ON" if policy.enabled else "OFF",
    }
    if policy.frequency is not None:
        schedule["frequency"] = policy.frequency
    else:
        schedule["week_frequency"] = list(policy.week_days)
    if policy.keep_count is not None:
        schedule["rentention_num"] = policy.keep_count
    else:
        schedule["rentention_day"] = policy.keep_days
    body: JsonDict = {
        "backup_policy_id": policy.id,
        "backup_policy_name": policy.name,
        "scheduled_policy": schedule,
        "policy_resource_count": len(policy.resources),
    }
    if policy.time_zone:
        body["time_zone"] = policy.time_zone
    return body


class PolicyQueries(PolicyBook):
    """Mixed into `PolicyService`: what the read endpoints and the tags need."""

    # -- policies and tasks ---------------------------------------------------------------

    def list_json(self) -> list[JsonDict]:
        with self.world.lock:
            self.world._advance()
            return [policy_json(p) for p in self.policies.values()]

    def task_json(self, task: PolicyTask, now: float) -> JsonDict:
        status = self.status(task, now)
        body: JsonDict = {
            "job_id": task.id, "status": status, "created_at": policy_time(task.created_at),
            "backup_name": task.backup_name, "resource_id": task.volume_id,
            "resource_type": "volume",
        }
        finished = self.finished_at(task, now)
        if finished is not None:
            body["finished_at"] = policy_time(finished)
        if task.vbs_job_id is not None:
            body["vbs_job_id"] = task.vbs_job_id
        if status in ("EXECUTE_FAIL", "EXECUTE_TIMEOUT", "SKIP"):
            code, message = self.failure(task)
            body["code"], body["message"] = code, message
        return body

    def task_page(self, policy_id: str, query: TaskQuery) -> tuple[list[JsonDict], int]:
        with self.world.lock:
            now = self.world._advance()
            if policy_id not in self.policies:
                raise error("AutoBackup.1100", f"The queried policy does not exist: "
                            f"{policy_id}.", 404)
            tasks = list(self.tasks[policy_id])
            if not query.ascending:
                tasks.reverse()
            if query.marker is not None:
                at = next((i for i, t in enumerate(tasks) if t.id == query.marker), None)
                if at is None:
                    raise error("AutoBackup.1100", f"No task {query.marker} in this policy "
                                "(marker).", 404)
                tasks = tasks[at + 1:]
            rows = [self.task_json(t, now) for t in tasks
                    if query.job_id is None or t.id == query.job_id]
            if query.status is not None:
                rows = [r for r in rows if r["status"] == query.status]
            return rows[query.offset:query.offset + query.limit], len(rows)

    def snapshot(self, now: float) -> JsonDict:
        """Summary for `GET /_sim/state` (the caller holds the lock)."""
        policies = list(self.policies.values())
        return {
            "count": len(policies),
            "on": sum(p.enabled for p in policies),
            "linked_disks": sum(len(p.resources) for p in policies),
            "tasks": dict(Counter(self.status(t, now) for tasks in self.tasks.values()
                                  for t in tasks)),
            "next_runs": {p.id: p.next_run for p in policies if p.next_run is not None},
            "names": {p.id: p.name for p in policies},
        }

    # -- tags -----------------------------------------------------------------------------

    def tags_of(self, policy_id: str) -> list[dict[str, str]]:
        with self.world.lock:
            self.world._advance()
            return [dict(t) for t in self.get(policy_id).tags]

    def add_tag(self, policy_id: str, tag: object) -> None:
        with self.world.lock:
            self.world._advance()
            policy = self.get(policy_id)
            key, value = check_tag(tag)
            self._put_tags(policy, [{"key": key, "value": value}])

    def _put_tags(self, policy: VbsPolicy, tags: list[dict[str, str]]) -> None:
        merged = {t["key"]: t["value"] for t in policy.tags}
        merged.update((t["key"], t["value"]) for t in tags)
        if len(merged) > TAGS_MAX:
            raise error("AutoBackup.0215", "The number of tags has reached the upper limit "
                        f"({TAGS_MAX} per policy).")
        policy.tags = [{"key": k, "value": v} for k, v in merged.items()]
        self.world.revision += 1

    def remove_tag(self, policy_id: str, key: str) -> None:
        with self.world.lock:
            self.world._advance()
            policy = self.get(policy_id)
            if not any(t["key"] == key for t in policy.tags):
                raise error("AutoBackup.0216", f"The tag does not exist: {key!r}.", 404)
            policy.tags = [t for t in policy.tags if t["key"] != key]
            self.world.revision += 1

    def batch_tags(self, policy_id: str, action: object, tags: object) -> None:
        with self.world.lock:
            self.world._advance()
            policy = self.get(policy_id)
            if action not in ("create", "update", "delete"):
                raise error("AutoBackup.0222", "Only specified actions are supported: "
                            "create, update, delete.")
            items = [] if tags is None else tags
            if action == "delete":
                if not isinstance(items, list):
                    raise error("AutoBackup.0214", "The tag parameter is invalid: tags must "
                                "be a list.")
                doomed = [check_delete_tag(t) for t in items]
                policy.tags = [t for t in policy.tags if not any(
                    t["key"] == key and (value is None or t["value"] == value)
                    for key, value in doomed)]
                self.world.revision += 1
                return
            self._put_tags(policy, check_tags(items, limit=TAGS_MAX))

    def all_tags(self) -> list[JsonDict]:
        with self.world.lock:
            self.world._advance()
            values: dict[str, list[str]] = {}
            for policy in self.policies.values():
                for tag in policy.tags:
                    seen = values.setdefault(tag["key"], [])
                    if tag["value"] not in seen:
                        seen.append(tag["value"])
            return [{"key": k, "values": v} for k, v in values.items()]

    def by_tags(self, body: dict[str, Any]) -> JsonDict:
        with self.world.lock:
            self.world._advance()
            action = body.get("action")
            if action not in ("filter", "count"):
                raise error("AutoBackup.0222", "Only specified actions are supported: "
                            "filter, count.")
            filters = {name: _tag_filter(body, name) for name in TAG_FILTERS}
            needle = _match(body.get("matches"))
            found = [p for p in self.policies.values()
                     if _selected(p, filters) and (needle is None or needle in p.name)]
            if action == "count":
                return {"total_count": len(found)}
            limit = _bound(body.get("limit"), "limit", FILTER_LIMIT, low=1, high=FILTER_LIMIT)
            offset = _bound(body.get("offset"), "offset", 0, low=0, high=None)
            resources = [{"resource_id": p.id, "resource_name": p.name, "resource_detail": None,
                          "tags": [dict(t) for t in p.tags]}
                         for p in found[offset:offset + limit]]
            return {"resources": resources, "total_count": len(found)}


def _tag_filter(body: dict[str, Any], name: str) -> dict[str, list[str]] | None:
    raw = body.get(name)
    if raw is None:
        return None
    if not isinstance(raw, list) or (name != "tags" and not raw) or len(raw) > TAGS_MAX:
        raise error("AutoBackup.0214", f"The tag parameter is invalid: {name} is a list of "
                    f"1 to {TAGS_MAX} tags.")
    result: dict[str, list[str]] = {}
    for item in raw:
        key = item.get("key") if isinstance(item, dict) else None
        values = item.get("values") if isinstance(item, dict) else None
        if (not isinstance(key, str) or not key or key in result or not isinstance(values, list)
                or len(values) > TAGS_MAX or not all(isinstance(v, str) for v in values)
                or len(set(values)) != len(values)):
            raise error("AutoBackup.0214", f"The tag parameter is invalid in {name}: unique "
                        "keys, each with a list of up to 10 distinct values.")
        result[key] = values
    return result


def _has(policy: VbsPolicy, key: str, values: list[str]) -> bool:
    return any(t["key"] == key and (not values or t["value"] in values) for t in policy.tags)


def _selected(policy: VbsPolicy, filters: dict[str, dict[str, list[str]] | None]) -> bool:
    every, any_of = filters["tags"], filters["tags_any"]
    none_of, not_any = filters["not_tags"], filters["not_tags_any"]
    if every is not None and not all(_has(policy, k, v) for k, v in every.items()):
        return False
    if any_of is not None and not any(_has(policy, k, v) for k, v in any_of.items()):
        return False
    if none_of is not None and all(_has(policy, k, v) for k, v in none_of.items()):
        return False
    return not (not_any is not None and any(_has(policy, k, v) for k, v in not_any.items()))


def _match(raw: object) -> str | None:
    if raw is None:
        return None
    if (not isinstance(raw, list) or len(raw) != 1 or not isinstance(raw[0], dict)
            or raw[0].get("key") != "resource_name" or not isinstance(raw[0].get("value"), str)):
        raise error("AutoBackup.0214", "The tag parameter is invalid: matches is "
                    '[{"key": "resource_name", "value": ...}].')
    return str(raw[0]["value"])


def _bound(raw: object, name: str, default: int, *, low: int, high: int | None) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw) if isinstance(raw, (str, int)) and not isinstance(raw, bool) else None
    except ValueError:
        value = None
    if value is None or value < low or (high is not None and value > high):
        raise error("AutoBackup.0214", f"The tag parameter is invalid: {name} must be an "
                    f"integer from {low}" + (f" to {high}." if high else " up."))
    return value

