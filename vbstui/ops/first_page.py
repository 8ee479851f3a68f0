"""The first page of disks, read in a second process while the TUI starts.

Textual takes about a third of a second to import and draw its first frame, all of it
on one core; the first page of a project's disks takes the HTTP stack (httpx, httpcore,
anyio: some 80 ms to import), the token cache's password check and a round trip.
`vbstui.main` starts a second process (`vbstui.read_ahead`) before Textual is
imported, and it runs `read_first_page`, so the two run side by side on two cores and
the first frame shows disks; the TUI's own session opens after that frame, and its
listing goes on from this page.

What this process may do is narrow, so that running it beside the TUI changes nothing
the TUI would not do itself:
- a token from the token cache only, checked against the password as every run checks
  it; never a login at IAM (a wrong password must not be refused twice: accounts lock
  after a few refusals), and the cache file is left as it is (`cached_token_only`);
- the password only from the environment or a private file, never the keyring (a
  locked keyring may ask the user to unlock it, which is the TUI's to do, once) and
  never a prompt: where the TUI would ask, nothing is read ahead;
- one request, the one the TUI's listing starts with (`EvsClient.first_page_body`);
- nothing written, nothing shown: the answer is {"project_id": ..., "body": <the
  page's body>}, and any failure is no answer: the TUI then lists as it would have.
"""

from __future__ import annotations

import asyncio
from typing import Any

from vbstui.cloud.errors import CloudError
from vbstui.errors import ConfigError, CredentialError
from vbstui.local.credentials import without_keyring
from vbstui.local.tokencache import TokenCache
from vbstui.ops.choices import Choices
from vbstui.ops.target import choose_target, open_session

# Disks in the TUI's first page: about what a tall terminal shows, a tenth of a full
# page to send, parse and index before the first frame.  The rest come in full pages.
FIRST_PAGE = 100


async def read_first_page(choices: Choices) -> dict[str, Any] | None:
    """The answer described above, or None where nothing may or can be read ahead."""
    if choices.wants_demo:
        return None  # its simulator lives inside the TUI's process
    try:
        target = choose_target(choices)
    except ConfigError:
        return None  # the TUI says what is wrong
    credential = without_keyring(target.profile)
    if credential is None:
        return None
    cache = TokenCache.for_profile(target.profile, credential.password, read_only=True)
    if not cache.path.exists():
        return None  # no cached token: over before the HTTP stack is even loaded
    # The password check (scrypt: some 50 ms, without the GIL) runs beside the HTTP
    # stack's import, which opening the session does.
    checked = asyncio.get_running_loop().run_in_executor(None, cache.load)  # starts now
    try:
        async with open_session(target, credential, cached_token_only=True,
                                token_cache=cache) as session:
            if await checked is None:
                return None
            project_id = await session.project_id()
            body = await session.evs.first_page_body(FIRST_PAGE)
    except (CloudError, CredentialError, ConfigError):
        return None
    finally:
        await asyncio.wait([checked])
    return {"project_id": project_id, "body": body}
