"""Credentials in the TUI: the login modal, the keyring and its failures, against a served
simulator over a real socket."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from textual.widgets import Checkbox, Input, Static
from tuikit import SIZE, MemoryKeyring, loaded, log_text, make_app, type_text, wait_until

from vbstui.local.config import Config, Profile
from vbstui.local.credentials import KeyringAccess
from vbstui.ops.target import Target
from vbstui.sim import SimConfig
from vbstui.sim.server import SimServer
from vbstui.ui.screens.login import LoginScreen

PASSWORD = "tui-login-Pa55"


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    server = SimServer(SimConfig(volumes=15, job_seconds=1, password=PASSWORD), port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    server.ready.wait(10)
    yield server.base_url
    server.stop()
    thread.join(10)


def target_for(url: str) -> Target:
    profile = Profile(name="lab", auth_url=f"{url}/v3", username="demo", region="eu-de",
                      user_domain_name="OTC-EU-DE-DEMO", project_name="eu-de_demo")
    return Target(profile=profile, config=Config(path=None, profiles={"lab": profile}))


class Hanging(MemoryKeyring):
    def get_password(self, service: str, user: str) -> str | None:
        time.sleep(30)
        return None


async def test_login_modal_wrong_then_right_password_stored_in_keyring(served: str) -> None:
    keyring = MemoryKeyring()
    app = make_app(target_for(served), keyring=KeyringAccess(keyring))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen)
                         and bool(app.screen.query("#password")), what="login modal")
        password = app.screen.query_one("#password", Input)
        assert password.password  # masked
        await type_text(pilot, "wrong-one")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen)
                         and "IAM refused" in str(app.screen.query_one("#login-error",
                                                                      Static).render()),
                         what="refusal shown in the modal")
        await wait_until(pilot, lambda: bool(app.screen.query("#remember")), what="modal ready")
        app.screen.query_one("#remember", Checkbox).value = True
        app.screen.query_one("#password", Input).focus()
        await type_text(pilot, PASSWORD)
        await pilot.press("enter")
        await loaded(pilot, app, 15)
        assert "typed in" in app.credential_source
        await wait_until(pilot, lambda: keyring.store.get(("vbstui", "lab")) == PASSWORD,
                         what="stored in keyring")
        assert "password stored in the OS keyring" in log_text(app)
        assert PASSWORD not in log_text(app)
    # Next start: the keyring answers, no modal.
    app = make_app(target_for(served), keyring=KeyringAccess(keyring))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 15)
        assert app.credential_source == "OS keyring (memory)"


async def test_hanging_keyring_falls_back_to_the_modal_in_time(served: str) -> None:
    app = make_app(target_for(served), keyring=KeyringAccess(Hanging(), timeout=0.5))
    async with app.run_test(size=SIZE) as pilot:
        started = time.monotonic()
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), timeout=5,
                         what="login modal")
        assert time.monotonic() - started < 3
        text = " ".join(str(w.render()) for w in app.screen.query(Static))
        assert "did not answer in time" in text
        assert not app.screen.query(Checkbox)  # no offer to store where storing cannot work
        await type_text(pilot, PASSWORD)
        await pilot.press("enter")
        await loaded(pilot, app, 15)


async def test_environment_password_needs_no_modal(served: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VBSTUI_PASSWORD", PASSWORD)
    app = make_app(target_for(served))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 15)
        assert app.credential_source == "environment (VBSTUI_PASSWORD)"
        status = str(app.main.query_one("#status-line").render())
        assert "profile lab" in status and "eu-de_demo" in status
        assert "VBSTUI_PASSWORD" in status


async def test_cancelled_login_exits_cleanly(served: str) -> None:
    app = make_app(target_for(served), keyring=KeyringAccess(MemoryKeyring()))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), what="login modal")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not app.is_running, what="exit")
    assert app.return_value == 3 and app.return_code == 3


async def test_switching_profile_reconnects_and_shows_it(
        served: str, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from vbstui.ops.target import Choices, choose_target
    from vbstui.ui.screens.pickers import ProfileScreen

    monkeypatch.setenv("VBSTUI_PASSWORD", PASSWORD)
    config = tmp_path / "config.toml"
    profile = ('auth_url = "{url}/v3"\nregion = "{region}"\nusername = "demo"\n'
               'user_domain_name = "OTC-EU-DE-DEMO"\nproject_name = "eu-de_demo"\n')
    config.write_text("[profiles.lab]\n" + profile.format(url=served, region="eu-de")
                      + "[profiles.lab-two]\n" + profile.format(url=served, region="eu-nl"))
    target = choose_target(Choices(config_path=str(config), profile="lab"))
    app = make_app(target)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 15)
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, ProfileScreen), what="picker")
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: app.target.profile.name == "lab-two"
                         and app.session is not None, what="switched")
        await loaded(pilot, app, 15)
        status = str(app.main.query_one("#status-line").render())
        assert "profile lab-two" in status and "eu-nl" in status
        assert "switching to profile lab-two" in log_text(app)


async def test_without_any_dbus_the_tui_asks_at_once_and_explains(
        served: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CI machine has no D-Bus session: the real keyring lookup must not hang."""
    monkeypatch.delenv("VBSTUI_NO_KEYRING", raising=False)
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    app = make_app(target_for(served), keyring=KeyringAccess())
    async with app.run_test(size=SIZE) as pilot:
        started = time.monotonic()
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen)
                         and bool(app.screen.query("#password")), timeout=10,
                         what="login modal")
        assert time.monotonic() - started < 6
        text = " ".join(str(w.render()) for w in app.screen.query(Static))
        assert "Keyring:" in text and "memory for this session" in text


async def test_cancelled_profile_switch_keeps_the_working_profile(
        served: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """F2, another profile, esc at its login: the app goes on with the first profile."""
    from vbstui.ops.target import Choices, choose_target
    from vbstui.ui.screens.pickers import ProfileScreen

    config = tmp_path / "config.toml"
    profile = ('auth_url = "{url}/v3"\nregion = "{region}"\nusername = "demo"\n'
               'user_domain_name = "OTC-EU-DE-DEMO"\nproject_name = "eu-de_demo"\n')
    config.write_text("[profiles.lab]\n" + profile.format(url=served, region="eu-de")
                      + "[profiles.lab-two]\n" + profile.format(url=served, region="eu-nl"))
    keyring = MemoryKeyring()
    keyring.store[("vbstui", "lab")] = PASSWORD  # lab-two has none: its login asks
    app = make_app(choose_target(Choices(config_path=str(config), profile="lab")),
                   keyring=KeyringAccess(keyring))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 15)
        session = app.session
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, ProfileScreen), what="picker")
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), what="login")
        assert any("Profile lab-two" in str(w.render()) for w in app.screen.query(Static))
        await pilot.press("escape")
        await wait_until(pilot, lambda: "still on profile lab" in log_text(app),
                         what="the switch reported cancelled")
        assert app.is_running
        assert app.target.profile.name == "lab" and app.session is session
        assert len(app.volumes_view.table.all_rows) == 15  # its data is still shown
        status = str(app.main.query_one("#status-line").render())
        assert "profile lab " in status and "eu-de" in status
        assert "connecting" not in status
        await pilot.press("r")  # and it still works: a refresh loads from the same session
        await wait_until(pilot, lambda: not app.volumes_view.loading_text, what="refresh")
        assert len(app.volumes_view.table.all_rows) == 15 and app.session is session
