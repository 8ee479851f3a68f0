"""Settings of one simulated cloud: account, size of the world, timing and faults."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from vbstui.sim.faults import FaultSpec
from vbstui.sim.ids import derived_hex

SERVICES = ("both", "cbr", "vbs")


@dataclass
class SimConfig:
    """Everything a simulator instance needs; defaults give the demo account.

    `project_id` left empty is derived from `seed` (32 hex). Job failures are a fault
    (`FaultSpec.job_fail`), so they can be changed at run time with `set_faults`.
    `delete_seconds` is how long a deleted backup stays in `deleting` before it is gone.
    `services` is which backup services the project has: `both` (a project in the middle
    of the VBS to CBR migration), `cbr` (a project created after VBS closed) or `vbs`.
    """

    volumes: int = 120
    seed: int = 1
    job_seconds: float = 30.0
    token_lifetime: float = 86400.0
    user: str = "demo"
    password: str = "vbstui-demo"  # noqa: S105 - the published demo credential
    user_domain: str = "OTC-EU-DE-DEMO"
    project: str = "eu-de_demo"
    region: str = "eu-de"
    project_id: str = ""
    backup_quota: int = 2000
    capacity_quota_gb: int = -1
    delete_seconds: float = 3.0
    faults: FaultSpec = field(default_factory=FaultSpec)
    services: str = "both"
    clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        if self.volumes < 0:
            raise ValueError("volumes must be >= 0")
        if self.job_seconds <= 0:
            raise ValueError("job_seconds must be > 0")
        if self.token_lifetime <= 0:
            raise ValueError("token_lifetime must be > 0")
        if self.delete_seconds < 0:
            raise ValueError("delete_seconds must be >= 0")
        if self.backup_quota < -1 or self.capacity_quota_gb < -1:
            raise ValueError("quotas must be -1 (unlimited) or >= 0")
        if self.services not in SERVICES:
            raise ValueError(f"services must be one of {', '.join(SERVICES)}")
        if not self.project_id:
            self.project_id = derived_hex("project", str(self.seed))
        if "/" in self.project_id:
            raise ValueError("project_id must not contain '/'")

    @property
    def has_vbs(self) -> bool:
        return self.services != "cbr"

    @property
    def has_cbr(self) -> bool:
        return self.services != "vbs"

    @property
    def domain_id(self) -> str:
        return derived_hex("domain", self.user_domain, str(self.seed))

    @property
    def user_id(self) -> str:
        return derived_hex("user", self.user, str(self.seed))
