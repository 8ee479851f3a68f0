"""Loading into the views: disks and backups page by page, the quota line, one disk
refreshed after a job touched it.  Every call goes through the backup service."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import Any

from textual.app import App

from vbstui.cloud.errors import CloudError
from vbstui.cloud.models import Quota, Volume
from vbstui.ops.service import BackupService
from vbstui.ui.screens.main import MainScreen, main_screen
from vbstui.ui.views import BackupsView, VolumesView


class Loader:
    """What the views show of the cloud; `volumes` is the disk lookup every view shares."""

    def __init__(self, app: App[Any], service: Callable[[], BackupService | None],
                 volumes: dict[str, Volume]) -> None:
        self.app = app
        self._service = service
        self.volumes = volumes
        self.quota: Quota | None = None
        self.scope: str | None = None  # the disk whose backups are shown; None: all

    @property
    def main(self) -> MainScreen:
        return main_screen(self.app)

    def _run(self, work: Callable[[], Awaitable[Any]], group: str, description: str, *,
             exclusive: bool = True) -> None:
        self.app.run_worker(work, name=group, group=group, exclusive=exclusive,
                            exit_on_error=False, description=description)

    def clear(self) -> None:
        """Forget what was shown of the previous profile."""
        self.volumes.clear()
        self.quota = None
        self.main.volumes_view.table.set_rows([])
        self.main.backups_view.table.set_rows([])

    # -- disks -------------------------------------------------------------------------

    def load_volumes(self) -> None:
        self._run(self._load_volumes, "volumes", "loading disks")

    async def _load_volumes(self) -> None:
        service = self._service()
        if service is not None:
            await self._fill(self.main.volumes_view, service.volume_pages(),
                             remember=lambda page: self.volumes.update((v.id, v) for v in page))

    def refresh_volume(self, volume_id: str) -> None:
        self._run(partial(self._refresh_volume, volume_id), "volumes-one", "refreshing a disk",
                  exclusive=False)

    async def _refresh_volume(self, volume_id: str) -> None:
        service = self._service()
        if service is None or not volume_id:
            return
        volume = await service.get_volume(volume_id)
        if volume is not None:
            self.volumes[volume.id] = volume
            self.main.volumes_view.table.update_row(volume)

    # -- backups and quota -----------------------------------------------------------------

    def show_scope(self, volume_id: str | None) -> None:
        """Backups of this disk from now on (None: of every disk)."""
        self.scope = volume_id
        self.main.backups_view.volume_filter = volume_id

    def load_backups(self) -> None:
        self._run(self._load_backups, "backups", "loading backups")

    async def _load_backups(self) -> None:
        service = self._service()
        if service is not None:
            self.load_quota()
            await self._fill(self.main.backups_view, service.backup_pages(volume_id=self.scope))

    def load_quota(self) -> None:
        self._run(self._load_quota, "quota", "loading quota")

    async def _load_quota(self) -> None:
        service = self._service()
        if service is None:
            return
        try:
            self.quota = await service.get_quota()
        except CloudError as exc:
            self.main.backups_view.show_quota(None, exc.message)
            return
        self.main.backups_view.show_quota(self.quota)

    # -- paging ------------------------------------------------------------------------

    async def _fill(self, view: VolumesView | BackupsView, pages: AsyncIterator[Any],
                    remember: Callable[[list[Any]], object] | None = None) -> None:
        """Show pages as they arrive: the first replaces the table, the rest are appended."""
        first = True
        loaded = 0
        view.loading_text = "loading…"
        view.update_summary()
        async for page, total in pages:
            if remember is not None:
                remember(page)
            if first:
                view.table.set_rows(page)
                first = False
            else:
                view.table.append_rows(page)
            loaded += len(page)
            view.loading_text = (f"loading… {loaded} of {total}"
                                 if total and loaded < total else "")
            view.update_summary()
            # Let keys and repaints in between pages: with the in-process simulator the
            # next page is ready at once, and parsing page after page would freeze the UI.
            await asyncio.sleep(0)
        if first:
            view.table.set_rows([])
        view.loading_text = ""
        view.update_summary()
