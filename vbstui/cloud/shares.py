"""VBS backup sharing: a backup of this project made visible to other projects.

`/v2/{project_id}/os-vendor-backup-sharing`: POST shares one backup with several
projects, `GET .../detail` lists the shares of my backups (or, with `share_to_me`, the
backups other projects share with me), `DELETE .../{id}` revokes one share, or every
share of a backup with `is_backup_id=true`.  The answers are read leniently, like every
other answer (`cloud.models`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from vbstui.cloud import http
from vbstui.cloud.endpoints import path_segment
from vbstui.cloud.errors import ResponseFormatError
from vbstui.cloud.lenient import as_list, as_str, as_time
from vbstui.cloud.models import Backup
from vbstui.cloud.paging import MAX_PAGES, ListingReader
from vbstui.cloud.validation import ValidationFailed

if TYPE_CHECKING:
    from vbstui.cloud.client import CloudSession

SHARING = "os-vendor-backup-sharing"
PAGE_SIZE = 1000
# An OTC project id is 32 hexadecimal digits (the ids in the sharing pages, IAM's
# tokens).  Real ids are lower case; an id typed in upper case names the same project,
# so it is lowered before it is compared or sent.
_PROJECT_ID = re.compile(r"[0-9a-f]{32}")


def normal_project_id(text: str) -> str:
    """A project id as compared and sent: without surrounding blanks, lower case."""
    return text.strip().lower()


def project_id_problem(text: str) -> str | None:
    """Why `text` is not a project id (None: it is one)."""
    value = normal_project_id(text)
    if not value:
        return "a project id is needed"
    if _PROJECT_ID.fullmatch(value):
        return None
    if len(value) != 32:
        return f"{value[:40]!r}: a project id has 32 characters, this has {len(value)}"
    return f"{value!r}: a project id has only the digits 0-9 and the letters a-f"


@dataclass(frozen=True)
class Share:
    """One backup shared with one project (`id` is the share's own id)."""

    id: str
    backup_id: str
    from_project_id: str
    to_project_id: str
    created_at: datetime | None
    backup: Backup | None  # the shared backup, when the answer carries it
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, raw: Any) -> Share:
        data = dict(raw) if isinstance(raw, Mapping) else {}
        backup = data.get("backup")
        return cls(
            id=as_str(data.get("id")),
            backup_id=as_str(data.get("backup_id")),
            from_project_id=as_str(data.get("from_project_id")),
            to_project_id=as_str(data.get("to_project_id")),
            created_at=as_time(data.get("created_at")),
            backup=Backup.from_api(backup) if isinstance(backup, Mapping) else None,
            raw=data,
        )

    @property
    def backup_name(self) -> str:
        return self.backup.name if self.backup is not None else ""


class SharesClient:
    """Backup sharing (VBS), over one `CloudSession`."""

    def __init__(self, session: CloudSession) -> None:
        self._session = session

    async def share(self, backup_id: str, to_project_ids: Sequence[str]) -> list[Share]:
        """Share one backup with these projects; the shares made.  Checked before
        sending (every id a project id), never retried here (a POST)."""
        problems = [p for p in map(project_id_problem, to_project_ids) if p]
        if problems or not to_project_ids:
            raise ValidationFailed({"to_project_ids": problems or ["no project to share with"]})
        session = self._session
        url = await session.url("vbs", "v2", SHARING)
        body = {"shared": {"backup_id": backup_id,
                           "to_project_ids": [normal_project_id(p) for p in to_project_ids]}}
        response = await http.send(
            session.http, "POST", url, json_body=body,
            timeout=session.settings.timeouts.for_mutations(), ok=(200, 201, 202),
        )
        data = http.json_object(response)
        made = data.get("shared")
        if isinstance(made, Mapping):  # one share may come as an object, not a list
            made = [made]
        if made is not None and not isinstance(made, list):
            raise ResponseFormatError("'shared' in the answer is not a list")
        return [Share.from_api(s) for s in as_list(made)]

    async def list_shares(self, *, to_me: bool = False, backup_id: str | None = None
                          ) -> list[Share]:
        """The shares of my backups (`to_me`: the backups shared with my project), every
        page of them (the listing pages by limit and offset, without links)."""
        params: dict[str, Any] = {"share_to_me": "true" if to_me else "false",
                                  "limit": PAGE_SIZE}
        if backup_id:
            params["backup_id"] = backup_id
        url = await self._session.url("vbs", "v2", f"{SHARING}/detail")
        reader = ListingReader("shared", "shared_links")
        shares: list[Share] = []
        offset = 0
        for _ in range(MAX_PAGES):
            data = await self._session.read(url, params={**params, "offset": offset})
            sent = reader.items(data)
            page, _next = reader.take(data)
            shares.extend(Share.from_api(s) for s in page.items)
            if len(sent) < PAGE_SIZE or len(page.items) < len(sent):
                break  # the last page, or a server repeating itself
            offset += len(sent)
        return shares

    async def revoke(self, share_id: str) -> None:
        """Cancel one share (by the share's id)."""
        await self._delete(share_id, is_backup_id=False)

    async def revoke_all(self, backup_id: str) -> None:
        """Cancel every share of one backup."""
        await self._delete(backup_id, is_backup_id=True)

    async def _delete(self, item_id: str, *, is_backup_id: bool) -> None:
        session = self._session
        what = "backup id" if is_backup_id else "share id"
        url = await session.url("vbs", "v2", f"{SHARING}/{path_segment(item_id, what=what)}")
        await http.send(
            session.http, "DELETE", url,
            params={"is_backup_id": "true" if is_backup_id else "false"},
            timeout=session.settings.timeouts.for_mutations(), ok=(200, 202, 204),
        )
