"""The first-run screen: shown when there is no linked account yet.

It explains chatui in two lines and offers the two ways in: the demo (which the
launcher starts once this app has exited with ``"demo"``) or linking a real
account, for which it shows the exact command to run.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

ADD_LOCAL_COMMAND = "chatui account add local --server URL --username NAME"
ADD_MATRIX_COMMAND = "chatui account add matrix --user @NAME:SERVER"

DEMO = "demo"
"""The app's return value asking the launcher to start ``chatui demo``."""


class FirstRunScreen(Screen[str | None]):
    """Welcome: try the demo, add an account, or quit.

    Dismissed with :data:`DEMO` or ``None`` (quit); the app turns that into its
    own exit value.
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
        display: none;
        margin-top: 1;
        padding: 0 1;
        background: $boost;
    }
    FirstRunScreen #add-help.shown {
        display: block;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "demo", "Try the demo", id="first_run.demo"),
        Binding("a", "add_account", "Add an account", id="first_run.add_account"),
        # Shown as ^q by the app already: one "Quit" in the footer is enough.
        Binding("q", "quit_app", "Quit", id="first_run.quit", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Welcome to chatui", id="welcome")
            yield Static(
                "All your chats in one window: every account's conversations, merged.\n"
                "No account linked yet: try the demo, or link an account you have.",
                id="pitch",
            )
            with Center(), Horizontal(id="buttons"):
                yield Button("Try the demo", id="demo", variant="primary")
                yield Button("Add an account", id="add")
                yield Button("Quit", id="quit")
            yield Static(
                "Link an account on a chatui server with:\n\n"
                f"  {ADD_LOCAL_COMMAND}\n\n"
                "or a Matrix account with:\n\n"
                f"  {ADD_MATRIX_COMMAND}\n\n"
                "(each asks for the password), then run chatui again.",
                id="add-help",
                markup=False,
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#demo", Button).focus()

    @on(Button.Pressed, "#demo")
    def action_demo(self) -> None:
        self.dismiss(DEMO)

    @on(Button.Pressed, "#add")
    def action_add_account(self) -> None:
        help_box = self.query_one("#add-help", Static)
        help_box.add_class("shown")
        # Offer the command on the clipboard too (terminals with OSC 52 support).
        self.app.copy_to_clipboard(ADD_LOCAL_COMMAND)
        self.notify("Copied to the clipboard (if the terminal allows it).")

    @on(Button.Pressed, "#quit")
    def action_quit_app(self) -> None:
        self.dismiss(None)
