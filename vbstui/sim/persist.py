"""Saving a simulated project to bytes and loading it back, so a demo world outlives
the process that made it.

The saved document is plain JSON: every resource as a list of its fields in the order
`schema` names them (a different vbstui version is detected, not misread), times as
the simulator's absolute clock values, so jobs that were running when it was saved
simply carry on (or have ended) when it is loaded.  Loading checks every value before
anything is replaced: a damaged or planted file raises `SavedWorldError` and leaves the
simulator as it was.  Tokens, counters and fault settings are not part of the world.
The CBR side (vaults, backups, checkpoints, tasks, their pending events) is saved in
the same way under `cbr`, the VBS policies, their tasks and the shares of this project
under `vbs` (version 3; a version 2 world loads with its policy-bound disks under
policies recreated OFF, so `metadata.policy` still names a policy).
"""

from __future__ import annotations

import dataclasses
import json
import random
from typing import Any

from vbstui.sim.cbr_models import TASK_TYPES, CbrBackup, CbrSeed, Checkpoint, Policy, Task, Vault
from vbstui.sim.generate import World
from vbstui.sim.ids import IdFactory
from vbstui.sim.models import Backup, Image, Job, Server, Volume
from vbstui.sim.policy_models import PolicySeed, PolicyTask, Share, VbsPolicy
from vbstui.sim.rules import CreateRequest
from vbstui.sim.saved_rows import SavedWorldError, build, check_positional, conform, need
from vbstui.sim.world import GONE, PendingCreate, SimWorld

FORMAT = "vbstui-sim-world"
VERSION = 3
_V2 = 2
_EVENT_KINDS = frozenset({"running", "done", GONE})
_CLASSES: dict[str, type] = {"server": Server, "image": Image, "volume": Volume,
                             "backup": Backup, "job": Job, "request": CreateRequest,
                             "cbr_policy": Policy, "cbr_vault": Vault,
                             "cbr_backup": CbrBackup, "cbr_checkpoint": Checkpoint,
                             "cbr_task": Task, "vbs_policy": VbsPolicy,
                             "vbs_task": PolicyTask, "share": Share}
_CBR_TABLES = (("policies", Policy), ("vaults", Vault), ("backups", CbrBackup),
               ("checkpoints", Checkpoint), ("tasks", Task))


def _names(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


SCHEMA = {key: _names(cls) for key, cls in _CLASSES.items()}
_VBS_TABLES = (("policies", VbsPolicy), ("tasks", PolicyTask), ("shares", Share))
_V2_SCHEMA = {key: names for key, names in SCHEMA.items()
              if key not in ("vbs_policy", "vbs_task", "share")}
for _cls in _CLASSES.values():  # at import: a model that `build` could not fill fails here
    check_positional(_cls)
# Where a saved disk names its server and image (an index into those tables).
_VOLUME_REFS = tuple((name, SCHEMA["volume"].index(name)) for name in ("server", "image"))


# -- saving ---------------------------------------------------------------------------


def dump_world(sim: SimWorld) -> bytes:
    """The world of `sim` as it is now (compact JSON, UTF-8)."""
    with sim.lock:
        now = sim._advance()
        servers: dict[int, int] = {}
        images: dict[int, int] = {}
        server_rows: list[list[Any]] = []
        image_rows: list[list[Any]] = []

        def ref(obj: Server | Image | None, seen: dict[int, int], rows: list[list[Any]]
                ) -> int | None:
            if obj is None:
                return None
            if id(obj) not in seen:
                seen[id(obj)] = len(rows)
                rows.append(_row(obj))
            return seen[id(obj)]

        volumes = []
        for volume in sim.volumes:
            row = _row(volume)
            row[SCHEMA["volume"].index("server")] = ref(volume.server, servers, server_rows)
            row[SCHEMA["volume"].index("image")] = ref(volume.image, images, image_rows)
            volumes.append(row)
        document = {
            "format": FORMAT, "version": VERSION, "schema": SCHEMA,
            "project_id": sim.config.project_id, "saved_at": now,
            "started_at": sim.started_at,
            "servers": server_rows, "images": image_rows, "volumes": volumes,
            "backups": [_row(b) for b in sim.backups.values()],
            "jobs": [_row(j) for j in sim.jobs.values()],
            "pending": {jid: [_row(p.request), p.inc] for jid, p in sim._pending.items()},
            "running_create": dict(sim._running_create),
            "events": [list(e) for e in sim._events],
            "seq": sim._seq,
            "near_limit": list(sim.near_limit), "odd_names": list(sim.odd_names),
            "seeded_jobs": list(sim.seeded_jobs),
            "cbr": _dump_cbr(sim.cbr.seed()),
            "vbs": _dump_vbs(sim.policies.seed(), sim.shares.involving(sim.config.project_id)),
        }
    return json.dumps(document, separators=(",", ":"), allow_nan=False).encode()


def _dump_cbr(seed: CbrSeed) -> dict[str, Any]:
    tables: dict[str, Any] = {key: [_row(item) for item in getattr(seed, key)]
                              for key, _ in _CBR_TABLES}
    tables["events"] = [list(e) for e in seed.events]
    return tables


def _dump_vbs(seed: PolicySeed, shares: list[Share]) -> dict[str, Any]:
    return {"policies": [_row(p) for p in seed.policies], "tasks": [_row(t) for t in seed.tasks],
            "shares": [_row(s) for s in shares]}


def _row(obj: Any) -> list[Any]:
    row = []
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        row.append(list(value) if isinstance(value, tuple) else value)
    return row


# -- loading --------------------------------------------------------------------------


def load_world(sim: SimWorld, data: bytes) -> None:
    """Replace the world of `sim` with the saved one; `SavedWorldError` if unusable."""
    try:
        document = json.loads(data, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:  # RecursionError: absurd nesting
        raise SavedWorldError("not a saved world (not valid JSON)") from exc
    parts = _Parts(document, sim.config.project_id)
    with sim.lock:
        parts.install(sim)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number here")


class _Parts:
    """A saved document, checked completely before any of it is installed."""

    def __init__(self, document: Any, project_id: str) -> None:
        doc = need(document, dict, "the document")
        if doc.get("format") != FORMAT:
            raise SavedWorldError("not a saved vbstui world")
        version = doc.get("version")
        if (version, doc.get("schema")) not in ((VERSION, SCHEMA), (_V2, _V2_SCHEMA)):
            raise SavedWorldError("saved by a different vbstui version")
        if doc.get("project_id") != project_id:
            raise SavedWorldError("saved for another project")
        self.started_at = conform(doc.get("started_at"), float, "started_at")
        servers = [build(Server, r, f"servers[{i}]") for i, r in enumerate(_list(doc, "servers"))]
        images = [build(Image, r, f"images[{i}]") for i, r in enumerate(_list(doc, "images"))]
        self.volumes = [self._volume(r, i, servers, images)
                        for i, r in enumerate(_list(doc, "volumes"))]
        self.backups = [build(Backup, r, f"backups[{i}]")
                        for i, r in enumerate(_list(doc, "backups"))]
        self.jobs = [build(Job, r, f"jobs[{i}]") for i, r in enumerate(_list(doc, "jobs"))]
        self.pending = {k: self._pending(k, v)
                        for k, v in need(doc.get("pending"), dict, "pending").items()}
        self.running_create = conform(doc.get("running_create"), dict[str, str],
                                       "running_create")
        self.events = [self._event(e, i) for i, e in enumerate(_list(doc, "events"))]
        self.seq = conform(doc.get("seq"), int, "seq")
        self.near_limit = conform(doc.get("near_limit"), list[str], "near_limit")
        self.odd_names = conform(doc.get("odd_names"), list[str], "odd_names")
        self.seeded_jobs = conform(doc.get("seeded_jobs"), list[str], "seeded_jobs")
        self._check_references()
        self.cbr = _cbr_seed(need(doc.get("cbr"), dict, "cbr"), {v.id for v in self.volumes})
        if version == _V2:
            self.vbs = _recovered_policies(self.volumes, self.started_at)
        else:
            self.vbs = _vbs_seed(need(doc.get("vbs"), dict, "vbs"), self.volumes)

    def _volume(self, row: Any, index: int, servers: list[Server], images: list[Image]
                ) -> Volume:
        where = f"volumes[{index}]"
        row = list(need(row, list, where))
        for (name, at), table in zip(_VOLUME_REFS, (servers, images), strict=True):
            if at < len(row) and row[at] is not None:
                ref = row[at]
                if not isinstance(ref, int) or isinstance(ref, bool) or not 0 <= ref < len(table):
                    raise SavedWorldError(f"{where}.{name}: not a known {name}")
                row[at] = table[ref]
        return build(Volume, row, where)

    def _pending(self, job_id: str, value: Any) -> PendingCreate:
        where = f"pending[{job_id!r}]"
        pair = need(value, list, where)
        if len(pair) != 2:
            raise SavedWorldError(f"{where}: expected [request, inc]")
        return PendingCreate(build(CreateRequest, pair[0], where),
                             conform(pair[1], int, f"{where}.inc"))

    def _event(self, value: Any, index: int) -> tuple[float, int, str, str]:
        where = f"events[{index}]"
        event = need(value, list, where)
        if len(event) != 4:
            raise SavedWorldError(f"{where}: expected [time, seq, kind, target]")
        when = conform(event[0], float, where)
        seq = conform(event[1], int, where)
        kind = conform(event[2], str, where)
        target = conform(event[3], str, where)
        if kind not in _EVENT_KINDS:
            raise SavedWorldError(f"{where}: unknown kind {kind!r}")
        return when, seq, kind, target

    def _check_references(self) -> None:
        """What the simulator later looks up must be there, or a request would crash it."""
        volume_ids = {v.id for v in self.volumes}
        jobs = {j.id: j for j in self.jobs}
        if len(volume_ids) != len(self.volumes) or len(jobs) != len(self.jobs):
            raise SavedWorldError("duplicate disk or job ids")
        if any(j.volume_id not in volume_ids for j in self.jobs):
            raise SavedWorldError("a job names a disk that is not there")
        if any(vid not in volume_ids for vid in self.near_limit):
            raise SavedWorldError("near_limit names a disk that is not there")
        if any(jid not in jobs for jid in self.pending) or any(
                jid not in jobs for jid in self.running_create.values()):
            raise SavedWorldError("a pending job is not among the jobs")
        for _, _, kind, target in self.events:
            if kind != GONE and target not in jobs:
                raise SavedWorldError("an event names a job that is not there")
            if kind == "running" and target not in self.pending:
                raise SavedWorldError("a job about to run has no request")

    def install(self, sim: SimWorld) -> None:
        sim._install(World(volumes=self.volumes, backups=self.backups, vbs=self.vbs))
        sim.jobs = {j.id: j for j in self.jobs}
        sim._pending = self.pending
        sim._running_create = self.running_create
        sim._events = sorted(self.events)  # a sorted list is a valid heap
        sim._seq = max([self.seq, *(e[1] for e in self.events)])
        sim.near_limit, sim.odd_names = self.near_limit, self.odd_names
        sim.seeded_jobs = self.seeded_jobs
        sim.started_at = self.started_at
        sim.cbr.install(self.cbr)
        # Fresh runtime ids: another process may have drawn the seeded stream already.
        sim._ids = IdFactory(random.Random())
        sim.revision += 1


def _cbr_seed(doc: dict[str, Any], volume_ids: set[str]) -> CbrSeed:
    """The saved CBR books, with every id they look up checked to be there."""
    tables = {key: [build(cls, row, f"cbr.{key}[{i}]") for i, row in enumerate(_list(doc, key))]
              for key, cls in _CBR_TABLES}
    events = []
    for index, value in enumerate(_list(doc, "events")):
        event = need(value, list, f"cbr.events[{index}]")
        if len(event) != 4:
            raise SavedWorldError(f"cbr.events[{index}]: expected [time, seq, kind, task]")
        kinds = (float, int, str, str)
        when, seq, kind, target = (conform(v, k, f"cbr.events[{index}]")
                                   for v, k in zip(event, kinds, strict=True))
        events.append((when, seq, kind, target))
    seed = CbrSeed(events=events, **tables)
    vaults = {v.id for v in seed.vaults}
    members = [vid for v in seed.vaults for vid in v.resources]
    tasks = {t.id for t in seed.tasks}
    if len(vaults) != len(seed.vaults) or len(tasks) != len(seed.tasks):
        raise SavedWorldError("cbr: duplicate vault or task ids")
    if len(set(members)) != len(members) or not volume_ids.issuperset(members):
        raise SavedWorldError("cbr: a vault holds a disk twice or one that is not there")
    if any(b.vault_id not in vaults or b.volume_id not in volume_ids for b in seed.backups):
        raise SavedWorldError("cbr: a backup names a vault or disk that is not there")
    if any(c.vault_id not in vaults for c in seed.checkpoints):
        raise SavedWorldError("cbr: a checkpoint names a vault that is not there")
    if any(t.resource_id not in volume_ids for t in seed.tasks):
        raise SavedWorldError("cbr: a task names a disk that is not there")
    if any(kind not in TASK_TYPES or target not in tasks for _, _, kind, target in events):
        raise SavedWorldError("cbr: an event names a task that is not there")
    policies = {p.id for p in seed.policies}
    if any(v.policy_id is not None and v.policy_id not in policies for v in seed.vaults):
        raise SavedWorldError("cbr: a vault names a policy that is not there")
    return seed


def _vbs_seed(doc: dict[str, Any], volumes: list[Volume]) -> PolicySeed:
    """The saved policy books, checked against the disks they name."""
    tables = {key: [build(cls, row, f"vbs.{key}[{i}]") for i, row in enumerate(_list(doc, key))]
              for key, cls in _VBS_TABLES}
    seed = PolicySeed(**tables)
    policies = {p.id: p for p in seed.policies}
    if len(policies) != len(seed.policies):
        raise SavedWorldError("vbs: duplicate policy ids")
    holder = {vid: p.id for p in seed.policies for vid in p.resources}
    if len(holder) != sum(len(p.resources) for p in seed.policies):
        raise SavedWorldError("vbs: a disk is linked twice")
    if any((v.vbs_policy or None) != holder.get(v.id) for v in volumes) or len(holder) != sum(
            v.vbs_policy is not None for v in volumes):
        raise SavedWorldError("vbs: the disks' policies and the policies' disks disagree")
    if any(t.policy_id not in policies for t in seed.tasks):
        raise SavedWorldError("vbs: a task names a policy that is not there")
    return seed


def _recovered_policies(volumes: list[Volume], when: float) -> PolicySeed:
    """Version 2 saved no policies: the disks bound to one keep a policy of that id."""
    seed = PolicySeed()
    for volume in volumes:
        if volume.vbs_policy is None:
            continue
        policy = next((p for p in seed.policies if p.id == volume.vbs_policy), None)
        if policy is None:
            policy = VbsPolicy(id=volume.vbs_policy, name=f"policy-{volume.vbs_policy[:8]}",
                               start_times=["00:00"], frequency=1, week_days=[], keep_count=7,
                               keep_days=None, keep_first_of_month=False, enabled=False,
                               created_at=when)
            seed.policies.append(policy)
        policy.resources.append(volume.id)
    return seed


def _list(doc: dict[str, Any], key: str) -> list[Any]:
    return need(doc.get(key), list, key)
