"""EVS: the disks (volumes) of the project."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from vbstui.cloud.endpoints import path_segment
from vbstui.cloud.errors import NotFound
from vbstui.cloud.models import Volume

if TYPE_CHECKING:
    from vbstui.cloud.client import CloudSession

PAGE_SIZE = 1000  # the EVS maximum


class EvsClient:
    """Disks (EVS)."""

    def __init__(self, session: CloudSession) -> None:
        self._session = session

    async def volume_pages(
        self, *, name: str | None = None, status: str | None = None, page_size: int = PAGE_SIZE
    ) -> AsyncIterator[tuple[list[Volume], int | None]]:
        """Volumes page by page, so a screen can show the first page at once."""
        params: dict[str, Any] = {"limit": page_size}
        if name:
            params["name"] = name
        if status:
            params["status"] = status
        url = await self._session.url("evs", "v2", "cloudvolumes/detail")
        async for page in self._session.pages(
            url, params=params, items_key="volumes", links_key="volumes_links"
        ):
            yield [Volume.from_api(v) for v in page.items], page.total

    async def list_volumes(self, *, name: str | None = None, status: str | None = None
                           ) -> list[Volume]:
        volumes: list[Volume] = []
        async for page, _total in self.volume_pages(name=name, status=status):
            volumes.extend(page)
        return volumes

    async def get_volume(self, volume_id: str) -> Volume | None:
        segment = path_segment(volume_id, what="volume id")
        url = await self._session.url("evs", "v2", f"cloudvolumes/{segment}")
        try:
            data = await self._session.read(url)
        except NotFound:
            return None
        return Volume.from_api(data.get("volume"))
