"""What the cloud layer needs to know to reach one project."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vbstui.cloud.request_timeout import RequestTimeout


@dataclass(frozen=True)
class Timeouts:
    """Per-phase timeouts.  httpx's default of 5 s everywhere is too short for a
    create, and a premature read timeout turns into "did it happen or not?"."""

    connect: float = 10.0
    read: float = 30.0
    write: float = 30.0
    pool: float = 10.0
    mutate_read: float = 120.0  # create / restore / delete may take long to answer
    # Whole-request limits; None derives them: twice `read` (60 s by default) for reads
    # and the token request, `mutate_read` for create / restore / delete.
    deadline: float | None = None
    mutate_deadline: float | None = None

    @property
    def read_deadline(self) -> float:
        return self.deadline if self.deadline is not None else 2 * self.read

    @property
    def mutation_deadline(self) -> float:
        return self.mutate_deadline if self.mutate_deadline is not None else self.mutate_read

    def for_reads(self) -> RequestTimeout:
        from vbstui.cloud.request_timeout import RequestTimeout  # noqa: PLC0415 - httpx

        return RequestTimeout(connect=self.connect, read=self.read, write=self.write,
                              pool=self.pool, deadline=self.read_deadline)

    def for_mutations(self) -> RequestTimeout:
        from vbstui.cloud.request_timeout import RequestTimeout  # noqa: PLC0415 - httpx

        return RequestTimeout(connect=self.connect, read=self.mutate_read, write=self.write,
                              pool=self.pool, deadline=self.mutation_deadline)


@dataclass(frozen=True)
class ConnectionSettings:
    """One project of one cloud: where IAM is, who we are, and how to talk TLS."""

    auth_url: str
    username: str
    user_domain_name: str | None = None
    user_domain_id: str | None = None
    project_name: str | None = None
    project_id: str | None = None
    region: str | None = None
    vbs_endpoint: str | None = None  # overrides the token catalog
    evs_endpoint: str | None = None
    cbr_endpoint: str | None = None
    backup_service: str | None = None  # "vbs" or "cbr" pins one; None uses what the catalog has
    ca_bundle: str | None = None  # file or directory; None means the system trust store
    insecure: bool = False  # skip TLS verification (only ever set explicitly)
    allow_http: bool = False  # plain http to a non-loopback host
    timeouts: Timeouts = field(default_factory=Timeouts)

