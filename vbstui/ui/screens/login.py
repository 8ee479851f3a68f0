"""The login modal: a masked password, kept in memory for the session only."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from vbstui.cloud.secret import Secret
from vbstui.local.config import Profile
from vbstui.textsafe import visible
from vbstui.ui.widgets.ordered_input import OrderedInput


@dataclass
class LoginResult:
    """The password typed in the login form and whether to keep it."""

    password: Secret
    store_in_keyring: bool


class LoginScreen(ModalScreen[LoginResult | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, profile: Profile, *, keyring_problem: str | None,
                 error: str | None = None) -> None:
        super().__init__()
        self.profile = profile
        self.keyring_problem = keyring_problem
        self.error = error

    def compose(self) -> ComposeResult:
        profile = self.profile
        about = Text()
        about.append(f"Profile {visible(profile.name)}\n", style="bold")
        about.append(f"user {visible(profile.username)} · domain "
                     f"{visible(profile.user_domain_name or profile.user_domain_id or '?')} · "
                     f"project {visible(profile.project)}\n{visible(profile.auth_url)}")
        with Vertical(classes="modal-box"):
            yield Static(Text("Log in", style="bold"), classes="modal-title")
            yield Static(about)
            yield OrderedInput(password=True, placeholder="password", id="password")
            yield Static(Text(visible(self.error or ""), style="bold red"), id="login-error")
            if self.keyring_problem:
                yield Static(Text(f"Keyring: {visible(self.keyring_problem)}. The password is "
                                  "kept in memory for this session only.", style="dim"))
            else:
                yield Checkbox("Remember in the OS keyring", id="remember", value=False)
            with Horizontal(classes="buttons"):
                yield Button("Log in (enter)", id="login", variant="primary")
                yield Button("Quit (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#login")
    def _login(self) -> None:
        value = self.query_one("#password", Input).value
        if not value:
            self.query_one("#login-error", Static).update(Text("enter the password",
                                                               style="bold red"))
            return
        remember = bool(self.query("#remember") and self.query_one("#remember", Checkbox).value)
        self.query_one("#password", Input).value = ""  # do not keep it in the widget
        self.dismiss(LoginResult(Secret(value), remember))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
