"""Loading into the views: disks and backups page by page, the quota line, one disk
refreshed after a job touched it.  Every call goes through the backup service.

A big project (50,000 disks) must not freeze the screen while it loads: the first page
is a screen's worth of disks, painted before anything else is asked for (the vault
listing too); the next page is already requested while one is put into the table, and
the rows of each page are moved out of the garbage collector's sight (see
`LongLived`)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

from textual.app import App

from vbstui.cloud.errors import CloudError
from vbstui.cloud.models import Quota, Volume
from vbstui.cloud.paging import first_volumes
from vbstui.jobs import Severity
from vbstui.ops.first_page import FIRST_PAGE
from vbstui.ops.routing import vaults_of
from vbstui.ops.service import BackupService
from vbstui.ui.protection import Protection
from vbstui.ui.screens.main import MainScreen, main_screen
from vbstui.ui.views import BackupsView, VolumesView

T = TypeVar("T")
PAINT_WAIT = 1.0  # seconds; a screen that never paints (hidden) must not stop loading
PROGRESS_EVERY = 0.1  # seconds: how often a listing's progress is shown while it loads


class Loader:
    """What the views show of the cloud; `volumes` is the disk lookup every view shares."""

    def __init__(self, app: App[Any], service: Callable[[], BackupService | None],
                 volumes: dict[str, Volume], protection: Protection | None = None) -> None:
        self.app = app
        self._service = service
        self.volumes = volumes
        self.protection = protection or Protection()
        self.quota: Quota | None = None
        self.scope: str | None = None  # the disk whose backups are shown; None: all
        self._volumes_listed = False  # a listing of the disks started: it owns the table

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
        self.protection.reset(None)
        self.main.volumes_view.table.set_rows([])
        self.main.backups_view.table.set_rows([])
        self.main.vaults_view.table.set_rows([])
        gc.unfreeze()  # the old rows are garbage now: let the collector see them again

    # -- disks -------------------------------------------------------------------------

    def show_first_page(self, body: dict[str, Any] | None) -> None:
        """The disks of a first page read ahead (`vbstui.ui.first_page`), until the
        listing that goes on from it is under way; nothing once one is."""
        if body is None or self._volumes_listed:
            return
        volumes, total = first_volumes(body)
        self._remember_volumes(volumes)
        view = self.main.volumes_view
        view.table.set_rows(volumes)
        view.loading_text = (f"loading… {len(volumes)} of {total}"
                             if total and len(volumes) < total else "loading…")
        view.update_summary()

    def load_volumes(self, first_body: dict[str, Any] | None = None) -> None:
        """`first_body`: the first page's body, read already (not asked for again)."""
        self._volumes_listed = True
        service = self._service()
        if service is not None and service is not self.protection.service:
            self.protection.reset(service)  # a new connection: its own services and vaults
        self._run(partial(self._load_volumes, first_body), "volumes", "loading disks")

    async def _load_volumes(self, first_body: dict[str, Any] | None) -> None:
        service = self._service()
        if service is None:
            return
        # The vault listing (the PROTECTION column) once the first rows are on screen:
        # asked for beside the first page, it was answered first and delayed the rows.
        pages = service.volume_pages(first_page=FIRST_PAGE, first_body=first_body)
        # (the vaults go into the backups and vaults views too: once they are mounted)
        await self._fill(self.main.volumes_view, pages, remember=self._remember_volumes,
                         on_first_shown=partial(self.main.after_views, self.load_vaults)
                         if self.protection.shown else None)

    def _remember_volumes(self, page: list[Volume]) -> None:
        self.volumes.update((v.id, v) for v in page)
        self.protection.add_disks(v.id for v in page)

    def load_vaults(self) -> None:
        """One vault listing: each disk's protection and the vault names of the views."""
        self._run(self._load_vaults, "vaults", "listing the vaults")

    async def _load_vaults(self) -> None:
        service = self._service()
        if service is None:
            return
        try:
            vaults = await vaults_of(service)
        except CloudError as exc:
            self.main.say(f"vaults not listed ({exc.describe()}): the PROTECTION column "
                          "stays empty; r lists them again", Severity.WARNING)
            return
        if service is not self._service():
            return  # the profile changed meanwhile
        self.protection.set_vaults(vaults, list(self.volumes))
        self.main.volumes_view.show_protection()
        backups = self.main.backups_view
        if backups.table.all_rows:
            backups.show_services()

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

    def load_vault_rows(self) -> None:
        """The vaults view: each vault's capacity, disks, policy and status."""
        self._run(self._load_vault_rows, "vault-rows", "listing the vaults")

    async def _load_vault_rows(self) -> None:
        service = self._service()
        view = self.main.vaults_view
        if service is None:
            return
        if not self.protection.shown:
            view.table.empty_text = "this project has no CBR (Cloud Backup and Recovery): no vaults"
            view.table.set_rows([])
            view.update_summary()
            return
        # The rows' code (and CBR's client it reads with) loads when the view first opens.
        from vbstui.ops.vaults import vault_rows  # noqa: PLC0415 - see LAZY_IMPORTS

        view.loading = True
        view.update_summary()
        try:
            rows = await vault_rows(service)
        finally:
            view.loading = False
        view.table.set_rows(rows)
        view.update_summary()

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
            view = self.main.backups_view
            if view.services_shown != self.protection.shown:
                view.show_services()
            await self._fill(view, service.backup_pages(volume_id=self.scope))

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
                    remember: Callable[[list[Any]], object] | None = None,
                    on_first_shown: Callable[[], None] | None = None) -> None:
        """Show pages as they arrive: the first replaces the table, the rest are appended.
        `on_first_shown` runs once the first page is painted, or when the listing ends
        (empty, or failed) before.  While pages pour in (a served listing of 50,000
        disks: one every ~40 ms), the screen is told of them at most every
        PROGRESS_EVERY: each frame repaints a dozen widgets, and 50 frames were a tenth
        of the load."""
        loop = asyncio.get_running_loop()
        first = True
        loaded = 0
        shown_at = loop.time()
        catch_up: asyncio.TimerHandle | None = None

        def show() -> None:
            nonlocal catch_up, shown_at
            if catch_up is not None:
                catch_up.cancel()
                catch_up = None
            view.table.show_growth()
            view.update_summary()  # repaints its line only: the screen is not laid out
            shown_at = loop.time()

        view.loading_text = "loading…"
        view.update_summary()
        try:
            async for page, total in _read_ahead(pages, settle=LongLived().keep):
                if remember is not None:
                    remember(page)
                loaded += len(page)
                # The last page is always shown; one held back is shown in time even
                # when the next is slow to come.
                quiet = (not first and total is not None and loaded < total
                         and loop.time() - shown_at < PROGRESS_EVERY)
                if first:
                    view.table.set_rows(page)
                else:
                    view.table.append_rows(page, quiet=quiet)
                view.loading_text = (f"loading… {loaded} of {total}"
                                     if total and loaded < total else "")
                if not quiet:
                    show()
                elif catch_up is None:
                    catch_up = loop.call_later(PROGRESS_EVERY, show)
                if first:
                    # The first rows on screen before the next page is even asked for:
                    # with the in-process simulator the next pages are ready at once,
                    # and `sleep(0)` would not let Textual paint in between.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(view.table.wait_for_refresh(), PAINT_WAIT)
                    first = False
                    if on_first_shown is not None:
                        on_first_shown()
                else:
                    await asyncio.sleep(0)  # keys and repaints in between pages
        except Exception:  # not a cancel: a refresh or profile switch starts anew
            if first and on_first_shown is not None:
                on_first_shown()
            raise
        finally:
            if catch_up is not None:
                catch_up.cancel()
        if first:
            view.table.set_rows([])
            if on_first_shown is not None:
                on_first_shown()
        view.loading_text = ""
        show()


class LongLived:
    """Moves what exists after each page (the page just read among it) out of the
    collector's sight, for one listing.

    Each page adds some 30,000 objects that live as long as the table; with them the
    interpreter's full collections grow to 100–250 ms each, nine of them while 50,000
    disks load.  Rows hold no reference cycles, so refcounting still frees them, and so
    is a read page's HTTP response (cloud/evs.py `_release`); what else dies in cycles
    dies young and the collector's young generations free it.  So only the first page
    is followed by a full collection (what start-up left); after later pages it cost
    3–4 ms each and found nothing (tests/tui/test_tui_big_listing.py fails if a page
    leaves its data behind).  What is alive at a freeze and dies later in a cycle
    (Textual's line caches: about 1 MB at 50,000 disks, with or without the collection)
    waits for `gc.unfreeze()` (a profile switch), when the collector sees it again."""

    def __init__(self) -> None:
        self._collected = False

    def keep(self) -> None:
        if not self._collected:
            gc.collect()
            self._collected = True
        gc.freeze()


async def _read_ahead(pages: AsyncIterator[T], *, settle: Callable[[], None]
                      ) -> AsyncIterator[T]:
    """`pages`, with the next one requested while this one goes into the table, so the
    server's work overlaps the table's; except after the first, which is on screen before
    anything else is done.  (The page's parsing and models are made inside `pages`,
    before it arrives here: that part does not overlap the server's.)  `settle` runs
    between a page's arrival and the next request: nothing of ours is under way then (a
    response half read must not be frozen: it would never be collected).  Stopping (a
    refresh cancels the worker) cancels the request."""
    pending: asyncio.Future[T] = asyncio.ensure_future(anext(pages))
    first = True
    try:
        while True:
            try:
                page = await pending
            except StopAsyncIteration:
                return
            if first:
                yield page
            settle()
            pending = asyncio.ensure_future(anext(pages))
            if not first:
                yield page
            first = False
    finally:
        pending.cancel()
        await asyncio.wait([pending])
        if not pending.cancelled():
            pending.exception()  # a failure after we stopped listening is not reported
        close = getattr(pages, "aclose", None)
        if close is not None:
            await close()
