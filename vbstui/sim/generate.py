"""Seeded generation of the starting world: disks grouped by server, their backups,
a few jobs already running, and disks close to the 20-backup limit.

The first disks of the listing (newest first, the order every client shows by default)
are a *clean head*: available or in-use, a few backups at most, nothing running, plain
names.  A newcomer's first backup therefore succeeds; the awkward disks (at the limit,
busy, in error, odd names) come right after, still on the first page."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from vbstui.sim.cbr_models import CbrSeed
from vbstui.sim.config import SimConfig
from vbstui.sim.ids import IdFactory
from vbstui.sim.models import (
    BACKUPABLE,
    CREATE_JOB,
    INIT_SHARE,
    RESTORE_JOB,
    Backup,
    Image,
    Job,
    Server,
    Volume,
)
from vbstui.sim.policy_models import PolicySeed
from vbstui.sim.timefmt import cinder_time

DAY = 86400.0
AZS = ("eu-de-01", "eu-de-02", "eu-de-03")
ROLES = (
    "web", "app", "api", "db", "pg", "mysql", "redis", "kafka", "es", "k8s-node",
    "k8s-master", "jenkins", "gitlab", "mq", "cache", "batch", "etl", "vpn", "bastion",
    "mail", "ldap", "monitor", "grafana", "elk", "sftp", "nfs", "sap-hana", "win-ad",
)
ENVS = ("prod", "prod", "stage", "dev", "test", "qa", "")
DATA_SUFFIXES = ("data", "log", "wal", "backup", "tmp", "scratch", "home", "docker")
SYS_SIZES = (10, 20, 40, 40, 40, 50, 60, 80, 100)
DATA_SIZES = (10, 20, 50, 100, 100, 200, 250, 500, 500, 1000, 1024, 2048, 4096)
SYS_TYPES = ("SSD", "GPSSD", "GPSSD", "SAS", "SAS")
DATA_TYPES = ("SATA", "SATA", "SAS", "SAS", "SSD", "GPSSD", "GPSSD")
IMAGES = (
    ("Standard_Ubuntu_22.04_latest", "Ubuntu 22.04 server 64bit"),
    ("Standard_Debian_12_latest", "Debian GNU/Linux 12 64bit"),
    ("Enterprise_RedHat_9_latest", "Redhat Linux Enterprise 9 64bit"),
    ("Standard_openSUSE_15_latest", "OpenSUSE 15 64bit"),
    ("Enterprise_Windows_STD_2022_CORE", "Windows Server 2022 Standard 64bit"),
)
# Names a client must display safely: empty, non-ASCII, and Rich-markup lookalikes.
ODD_NAMES = ("", "datenbank-prüfung-01", "tmp-[/bold]-scratch")
NAMESAKE = "shared-data"
NEAR_LIMIT_COUNTS = (20, 19, 18)
SEEDED_BACKUP_CAP = 300
IN_FLIGHT_CAP = 20
# Rows of the tallest terminal's first screen; small worlds keep half of it clean.
CLEAN_HEAD = 60


def clean_head_size(count: int) -> int:
    """How many disks at the top of the listing are kept free of awkward states."""
    return min(CLEAN_HEAD, count // 2)


@dataclass
class World:
    """A simulated project's contents, generated or loaded, before it is installed."""

    volumes: list[Volume]
    backups: list[Backup] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    # (time, backup id) of seeded backups that are being deleted.
    deletions: list[tuple[float, str]] = field(default_factory=list)
    near_limit: list[str] = field(default_factory=list)
    odd_names: list[str] = field(default_factory=list)
    cbr: CbrSeed = field(default_factory=CbrSeed)
    vbs: PolicySeed = field(default_factory=PolicySeed)


class _Generator:
    def __init__(self, config: SimConfig, now: float) -> None:
        self.config = config
        self.now = now
        self.rng = random.Random(config.seed)
        self.ids = IdFactory(self.rng)
        self.images = [Image(self.ids.uuid(), name, ver) for name, ver in IMAGES]
        self.in_flight_cap = max(1, min(IN_FLIGHT_CAP, config.volumes * 3 // 100))
        self.backing_up: list[Volume] = []
        self.restoring: list[Volume] = []
        # Drawn while each disk is made (so every seed's names and sizes stay as they
        # were) and applied once the listing order is known, skipping the clean head.
        self._status_rolls: dict[str, float] = {}

    def volumes(self) -> list[Volume]:
        rng, count = self.rng, self.config.volumes
        volumes: list[Volume] = []
        serial: dict[tuple[str, str], int] = {}
        while len(volumes) < count:
            role, env = rng.choice(ROLES), rng.choice(ENVS)
            serial[role, env] = serial.get((role, env), 0) + 1
            host = f"{role}-{env}-{serial[role, env]:02d}" if env else (
                f"{role}-{serial[role, env]:02d}")
            az = rng.choice(AZS)
            alive = rng.random() < 0.8
            server = Server(self.ids.uuid(), host, f"pod{rng.randint(1, 9):02d}.{az}")
            born = self.now - rng.uniform(2 * DAY, 3 * 365 * DAY)
            suffixes = ["sys", *rng.sample(DATA_SUFFIXES, rng.choice((0, 1, 1, 2)))]
            for index, suffix in enumerate(suffixes):
                if len(volumes) == count:
                    break
                created = born + rng.uniform(0, 600) + index
                volumes.append(self._volume(
                    f"{host}-{suffix}", is_sys=suffix == "sys", az=az,
                    server=server if alive else None, index=index, created=created))
        volumes.sort(key=lambda v: (v.created_at, v.id), reverse=True)
        for volume in volumes[clean_head_size(len(volumes)):]:
            self._special_status(volume, self._status_rolls[volume.id])
        return volumes

    def _volume(self, name: str, *, is_sys: bool, az: str, server: Server | None,
                index: int, created: float) -> Volume:
        rng = self.rng
        attached = server is not None and rng.random() < 0.93
        if is_sys:
            size, vtype = rng.choice(SYS_SIZES), rng.choice(SYS_TYPES)
        else:
            size = rng.choice(DATA_SIZES) if rng.random() < 0.8 else rng.randint(10, 4096)
            vtype = rng.choice(DATA_TYPES)
        updated = created + rng.uniform(0, self.now - created)
        volume = Volume(
            id=self.ids.uuid(), name=name, size=size, volume_type=vtype,
            availability_zone=az, status="in-use" if attached else "available",
            bootable=is_sys, created_at=cinder_time(created), updated_at=cinder_time(updated),
            description=rng.choice((None, None, None, "", "managed by terraform")),
            image=rng.choice(self.images) if is_sys else None,
            cmk_id=self.ids.uuid() if rng.random() < 0.05 else None,
        )
        if attached:
            volume.server = server
            volume.device = "/dev/vda" if is_sys else f"/dev/vd{'bcdefgh'[index - 1]}"
            volume.attached_at = cinder_time(created + rng.uniform(30, 3600))
        self._status_rolls[volume.id] = rng.random()
        return volume

    def _special_status(self, volume: Volume, roll: float) -> None:
        if roll < 0.03 and len(self.backing_up) < self.in_flight_cap:
            volume.resume_status, volume.status = volume.status, "backing-up"
            self.backing_up.append(volume)
        elif volume.server is not None:
            return
        elif roll < 0.06:
            volume.status = "error"
        elif roll < 0.08:
            volume.status = "creating"
        elif roll < 0.09 and len(self.restoring) < self.in_flight_cap:
            volume.resume_status, volume.status = "available", "restoring-backup"
            self.restoring.append(volume)

    def backup(self, volume: Volume, created: float, name: str | None = None,
               status: str = "available", inc: int = 1) -> Backup:
        rng = self.rng
        backup = Backup(
            id=self.ids.uuid(),
            name=name if name is not None else self._backup_name(volume, created),
            volume_id=volume.id, size=volume.size, status=status, created_at=created,
            updated_at=created + rng.uniform(60, 1800), availability_zone=volume.availability_zone,
            volume_type=volume.volume_type, bootable=volume.bootable,
            snapshot_id=self.ids.uuid(), backupurl=self.ids.uuid(), inc=inc, seeded=True,
            desc=rng.choice(("", "", "before upgrade", "weekly", "pre-migration")),
        )
        if status == "error":
            backup.fail_reason = rng.choice((
                "Failed to create the snapshot.",
                "Backup of volume failed: storage backend timeout",
                "Connection to swift failed: [Errno 111] ECONNREFUSED",
            ))
        return backup

    def _backup_name(self, volume: Volume, created: float) -> str:
        if self.rng.random() < 0.3:
            # Policy backups use the reserved "autobk_" prefix users may not choose.
            return f"autobk_{self.rng.getrandbits(16):04x}"
        base = (volume.name or "disk")[:50]
        return f"{base}-{cinder_time(created)[:10].replace('-', '')}"

    def history(self, volume: Volume, count: int, world: World) -> None:
        """`count` finished backups spread over the last 90 days, oldest first."""
        times = sorted(self.now - self.rng.uniform(DAY, 90 * DAY) for _ in range(count))
        for index, created in enumerate(times):
            status = "error" if self.rng.random() < 0.07 else "available"
            world.backups.append(self.backup(volume, created, status=status,
                                             inc=0 if index == 0 else 1))

    def in_flight(self, world: World) -> None:
        span = self.config.job_seconds
        for volume in self.backing_up:
            begin = self.now - self.rng.uniform(0.2, 0.6) * span
            end = self.now + self.rng.uniform(0.3, 1.5) * span
            backup = self.backup(volume, begin + INIT_SHARE * span, status="creating")
            backup.progress_window = (backup.created_at, end)
            backup.updated_at = backup.created_at
            world.backups.append(backup)
            world.jobs.append(Job(self.ids.hex32(), CREATE_JOB, volume.id, backup.name,
                                  backup.snapshot_id or "", begin, begin + INIT_SHARE * span,
                                  end, backup_id=backup.id))
        for volume in self.restoring:
            source = self.backup(volume, self.now - self.rng.uniform(DAY, 30 * DAY),
                                 status="restoring", inc=0)
            source.size = volume.size
            world.backups.append(source)
            begin = self.now - self.rng.uniform(0.1, 0.5) * span
            world.jobs.append(Job(self.ids.hex32(), RESTORE_JOB, volume.id, source.name,
                                  source.snapshot_id or "", begin,
                                  begin + INIT_SHARE * span,
                                  self.now + self.rng.uniform(0.3, 1.5) * span,
                                  backup_id=source.id))


def generate_world(config: SimConfig, now: float) -> World:
    """Build the initial world for `config` as seen at time `now`."""
    gen = _Generator(config, now)
    world = World(volumes=gen.volumes())
    rng = gen.rng
    head = clean_head_size(len(world.volumes))
    clean = [v for v in world.volumes[:head] if v.status in BACKUPABLE]
    eligible = [v for v in world.volumes[head:] if v.status in BACKUPABLE]
    # Near-limit disks come right after the clean head: still on the first page, so a
    # demo reaches VolumeBackup.0040 quickly, but never the first thing a newcomer tries.
    if len(clean) + len(eligible) >= 10:
        for volume, count in zip(eligible, NEAR_LIMIT_COUNTS, strict=False):
            gen.history(volume, count, world)
            world.near_limit.append(volume.id)
    rest = eligible[len(world.near_limit):]
    if len(world.volumes) >= 20:
        _ensure_in_flight(gen, rest)
    rest = [v for v in rest if v.status in BACKUPABLE]
    if len(world.volumes) >= 50 and len(rest) > len(ODD_NAMES):
        for volume, odd in zip(rng.sample(rest, len(ODD_NAMES)), ODD_NAMES, strict=True):
            volume.name = odd
            world.odd_names.append(volume.id)
        # Two disks sharing a name, as real projects have: a name alone cannot pick one.
        odd = set(world.odd_names)
        pair = [v for v in rest if v.id not in odd][:2]
        for volume in pair:
            volume.name = NAMESAKE
            world.odd_names.append(volume.id)
    budget = min(SEEDED_BACKUP_CAP, len(world.volumes))
    # Ordinary history (1-4 backups) for disks of the clean head and of the rest alike.
    ordinary = clean + rest
    for volume in rng.sample(ordinary, min(len(ordinary), max(1, len(ordinary) * 3 // 10))):
        if budget <= 0:
            break
        count = min(budget, rng.randint(1, 4))
        gen.history(volume, count, world)
        budget -= count
    gen.in_flight(world)
    _special_backups(gen, world)
    return world


def _ensure_in_flight(gen: _Generator, candidates: list[Volume]) -> None:
    """Every world (but the tiniest) shows one disk backing up and one being restored."""
    if len(candidates) < 2:
        return
    if not gen.backing_up:
        volume = candidates[-1]
        volume.resume_status, volume.status = volume.status, "backing-up"
        gen.backing_up.append(volume)
    spare = [v for v in candidates if v.status == "available"]
    if not gen.restoring and spare:
        volume = spare[-1]
        volume.resume_status, volume.status = "available", "restoring-backup"
        gen.restoring.append(volume)


def _special_backups(gen: _Generator, world: World) -> None:
    """Make every backup status appear: error, error_restoring and deleting."""
    plain = [b for b in world.backups if b.status == "available" and
             b.volume_id not in world.near_limit]
    if len(plain) < 4:
        return
    failed, deleting, *broken = gen.rng.sample(plain, 4)
    failed.status = "error_restoring"
    failed.fail_reason = "Failed to restore data."
    deleting.status = "deleting"
    world.deletions.append((gen.now + gen.config.delete_seconds, deleting.id))
    if sum(b.status == "error" for b in world.backups) < 2:
        for backup in broken:
            backup.status = "error"
            backup.fail_reason = "Failed to create the snapshot."
