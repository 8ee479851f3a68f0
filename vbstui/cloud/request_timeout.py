"""The timeout object each request is sent with (httpx's, plus a whole-request limit).

Apart from `settings.py` so that reading the settings (the config file, at every
start) does not import httpx: the TUI draws its first frame before it needs httpx."""

from __future__ import annotations

import httpx


class RequestTimeout(httpx.Timeout):
    """httpx's per-phase timeouts plus `deadline`: wall-clock seconds for the whole
    exchange, body included.  httpx's read timeout restarts with every byte, so a
    server trickling one byte a second would otherwise hold a request forever."""

    def __init__(self, *, connect: float, read: float, write: float, pool: float,
                 deadline: float) -> None:
        super().__init__(connect=connect, read=read, write=write, pool=pool)
        self.deadline = deadline
