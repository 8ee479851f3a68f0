"""Sharing in the TUI against the simulator's two projects: bad project ids refused as you
type (nothing sent), the backup shared with the second project (and one more) in one
request, listed among this project's shares, one share revoked after a confirmation naming
its project, then every share of the backup; a project without VBS is told why not."""

from __future__ import annotations

from typing import Any

from textual.widgets import Button, Input, Static
from tuikit import SIZE, demo_target, loaded, log_text, make_app, type_text, wait_until

from vbstui.cloud.shares import Share
from vbstui.ui.screens.modals import ConfirmScreen
from vbstui.ui.screens.share_screens import ShareForm, SharesScreen, share_columns
from vbstui.ui.widgets.columns import layout, widest

OTHER = "ab" * 16  # a project id of the right form; the simulator accepts any such id


def sim(app: Any) -> Any:
    return app.target.sim_app.state.sim


def shared_with(app: Any, backup_id: str) -> set[str]:
    """The projects the simulator has this backup shared with."""
    return {s.to_project_id for s in sim(app).shares.shares.values() if s.backup_id == backup_id}


async def shares_screen(pilot: Any, app: Any) -> SharesScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, SharesScreen), what="shares list")
    return app.screen


async def to_share(pilot: Any, app: Any, backup_id: str, project_id: str) -> None:
    rows = app.screen.query_one("#shares-table").rows
    index = next(i for i, s in enumerate(rows)
                 if s.backup_id == backup_id and s.to_project_id == project_id)
    await pilot.press("g", *("j" for _ in range(index)))


async def confirmation(pilot: Any, app: Any) -> str:
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
    return str(app.screen.query_one("#confirm-body", Static).render())


def share_posts(app: Any) -> int:
    requests = sim(app).snapshot()["requests"]
    return sum(n for route, n in requests.items()
               if route.startswith("POST") and "os-vendor-backup-sharing" in route)


async def test_share_checked_as_you_type_then_shared_listed_and_revoked() -> None:
    app = make_app(demo_target(volumes=20, services="vbs"))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 20)
        peer = sim(app).snapshot()["peer_project_id"]
        assert peer
        await pilot.press("f4")
        table = app.backups_view.table
        await wait_until(pilot, lambda: len(table.all_rows) > 0
                         and not app.backups_view.loading_text, what="backups listed")
        index = next(i for i, b in enumerate(table.rows)
                     if b.status == "available" and not shared_with(app, b.id))
        await pilot.press("g", *("j" for _ in range(index)))
        backup = table.current

        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, ShareForm), what="share form")
        form = app.screen
        error = form.query_one("#share-projects-error", Static)
        await type_text(pilot, "abc123")
        assert "a project id has 32 characters, this has 6" in str(error.render())
        assert form.query_one("#share-submit", Button).disabled
        await pilot.press("ctrl+s")  # refused in the form: nothing is sent
        assert isinstance(app.screen, ShareForm) and share_posts(app) == 0
        # Long ids are put in at once (typing 32 keys costs seconds); each change is checked.
        field = form.query_one("#share-projects", Input)
        field.value = sim(app).config.project_id
        await pilot.pause()
        assert "is this project" in str(error.render())
        field.value = f"{peer.upper()}, {peer}"
        await pilot.pause()
        assert f"{peer} is given twice" in str(error.render())
        # Upper case names the same project; a second project id of the right form.
        field.value = f"{peer.upper()}, {OTHER}"
        await pilot.pause()
        assert str(error.render()).startswith("✓ 2 projects")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "shared with 2 projects" in log_text(app),
                         what="shared")
        assert shared_with(app, backup.id) == {peer, OTHER}
        assert share_posts(app) == 1  # one request for both

        # This project's shares list both; revoking one asks first, naming the project.
        await pilot.press("S")
        screen = await shares_screen(pilot, app)
        assert {s.to_project_id for s in screen.shares if s.backup_id == backup.id} == {
            peer, OTHER}
        await to_share(pilot, app, backup.id, peer)
        await pilot.press("d")
        body = await confirmation(pilot, app)
        assert peer in body and OTHER not in body and backup.id in body
        await pilot.press("escape")
        await wait_until(pilot, lambda: "still shared; nothing was sent" in log_text(app),
                         what="not revoked")
        assert shared_with(app, backup.id) == {peer, OTHER}
        await shares_screen(pilot, app)  # the list opens again, as the server has it
        await to_share(pilot, app, backup.id, peer)
        await pilot.press("d")
        await confirmation(pilot, app)
        await pilot.press("y")
        await wait_until(pilot, lambda: "no longer shared with 1 project" in log_text(app),
                         what="one revoked")
        assert shared_with(app, backup.id) == {OTHER}

        # Every share of the backup at once (only one left here: the confirmation says so).
        await shares_screen(pilot, app)
        await to_share(pilot, app, backup.id, OTHER)
        await pilot.press("D")
        body = await confirmation(pilot, app)
        assert OTHER in body and "with 1 project?" in body
        await pilot.press("y")
        await wait_until(pilot, lambda: shared_with(app, backup.id) == set(),
                         what="all revoked")

        # The other list: what other projects share with this one.
        await shares_screen(pilot, app)
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, SharesScreen)
                         and app.screen.to_me, what="shared with me")
        await pilot.press("escape")


async def test_a_project_without_vbs_is_told_sharing_is_a_vbs_feature() -> None:
    app = make_app(demo_target(volumes=10, services="cbr"))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 10)
        await pilot.press("f4")
        await wait_until(pilot, lambda: len(app.backups_view.table.all_rows) > 0
                         and not app.backups_view.loading_text, what="backups listed")
        await pilot.press("s")
        await wait_until(pilot, lambda: "only VBS backups are shared" in log_text(app),
                         what="refused")
        await pilot.press("S")
        await wait_until(pilot, lambda: "backup sharing is a VBS feature" in log_text(app),
                         what="no sharing")
        assert not isinstance(app.screen, (ShareForm, SharesScreen))
        assert share_posts(app) == 0


def test_the_other_project_is_whole_in_the_first_70_cells_of_the_shares_list() -> None:
    # At 80 columns the shares modal's table has about 70 cells before it scrolls.
    share = Share.from_api({"id": "s1", "backup_id": "b" * 36, "to_project_id": "p" * 32,
                            "from_project_id": "f" * 32, "backup": {
                                "id": "b" * 36, "name": "jenkins-test-01-home-weekly",
                                "status": "available", "size": 40}})
    for to_me in (False, True):
        columns = share_columns(to_me)
        longest = {c.key: widest(c, [share]) for c in columns}
        widths = layout(columns, 70, longest)
        project = next(i for i, c in enumerate(columns) if c.key in ("to", "from"))
        assert widths[project] == 32
        assert sum(w + 1 for w in widths[:project + 1]) <= 70
