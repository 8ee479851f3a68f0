"""The volumes view's POLICY column shows only while some disk is bound to a policy."""

from __future__ import annotations

from tuikit import demo_target, make_app, wait_until

VOLUMES = 30


async def test_a_project_with_no_disk_bound_to_a_policy_keeps_the_room_for_names() -> None:
    app = make_app(demo_target(volumes=VOLUMES, services="vbs", demo_policies=False))
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.volumes_view

        def policies_listed() -> bool:
            return ("policy_flows" in app.__dict__ and len(view.table.all_rows) == VOLUMES
                    and not any(w.group == "policies" and not w.is_finished
                                for w in app.workers))

        await wait_until(pilot, policies_listed, what="the disks and the policies listed")
        await pilot.pause()
        labels = [column.label for column in view.table.columns]
        assert "POLICY" not in labels
        assert view.policy_label is None
        assert "policy" not in view.query_one(".filter").placeholder
