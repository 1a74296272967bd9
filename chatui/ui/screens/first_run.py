"""The first-run screen: shown when there is no linked account yet.

It explains chatui in two lines and offers the ways in: adding an account here
(the account form: log in, or create one on a chatui server), the demo (which the
launcher starts once this app has exited with ``"demo"``), or the same from a
terminal, for which it shows the commands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

ADD_LOCAL_COMMAND = "chatui account add local --server URL --username NAME [--register]"
ADD_MATRIX_COMMAND = "chatui account add matrix --user @NAME:SERVER"

DEMO = "demo"
"""The app's return value asking the launcher to start ``chatui demo``."""


class FirstRunScreen(Screen[str | None]):
    """Welcome: add an account, try the demo, or quit.

    Dismissed with :data:`DEMO` or ``None`` (quit); the app turns that into its
    own exit value. Adding an account is the app's (``add_account``: it opens the
    account form and, once an account is linked, replaces this screen with the
    main window); without it (no profile to keep accounts in) only the commands
    are offered.
    """

    DEFAULT_CSS = """
    FirstRunScreen {
        align: center middle;
    }
    FirstRunScreen > Vertical {
        width: 76;
        max-width: 100%;
        height: auto;
        padding: 1 2;
        border: round $primary;
    }
    FirstRunScreen #welcome {
        text-style: bold;
        color: $primary;
    }
    FirstRunScreen #pitch {
        margin-bottom: 1;
    }
    FirstRunScreen #buttons {
        height: auto;
        align-horizontal: center;
    }
    FirstRunScreen #buttons Button {
        margin: 0 1;
    }
    FirstRunScreen #add-help {
        margin-top: 1;
        padding: 0 1;
        background: $boost;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add_account", "Add an account", id="first_run.add_account"),
        Binding("d", "demo", "Try the demo", id="first_run.demo"),
        # Shown as ^q by the app already: one "Quit" in the footer is enough.
        Binding("q", "quit_app", "Quit", id="first_run.quit", show=False),
    ]

    def __init__(self, add_account: Callable[[], None] | None = None) -> None:
        super().__init__()
        self._add_account = add_account

    def compose(self) -> ComposeResult:
        adding = self._add_account is not None
        with Vertical():
            yield Static("Welcome to chatui", id="welcome")
            yield Static(
                "All your chats in one window: every account's conversations, merged.\n"
                "No account linked yet: add one you have (or create one on a chatui\n"
                "server), or try chatui on the demo's two networks first.",
                id="pitch",
            )
            with Center(), Horizontal(id="buttons"):
                if adding:
                    yield Button("Add an account", id="add", variant="primary")
                yield Button("Try the demo", id="demo", variant="default" if adding else "primary")
                yield Button("Quit", id="quit")
            yield Static(
                ("Or from a terminal, then run chatui again:\n" if adding else "Link one with:\n")
                + f"  {ADD_LOCAL_COMMAND}\n"
                f"  {ADD_MATRIX_COMMAND}\n"
                "(--register creates the account on a chatui server; each asks for the password)",
                id="add-help",
                markup=False,
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#add" if self._add_account is not None else "#demo", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_account":
            return self._add_account is not None
        return True

    @on(Button.Pressed, "#demo")
    def action_demo(self) -> None:
        self.dismiss(DEMO)

    @on(Button.Pressed, "#add")
    def action_add_account(self) -> None:
        if self._add_account is not None:
            self._add_account()

    @on(Button.Pressed, "#quit")
    def action_quit_app(self) -> None:
        self.dismiss(None)
