"""The account form: link an account (log in, or create one on a chatui server), or
log in again to one whose token the server refused.

The form does the work itself, through the ``submit`` callable it is given (which
runs :mod:`chatui.profile.linking`, as ``chatui account add`` does), in a worker:
the window never waits on a server or the keyring. A refusal is shown right here
in one line — the CLI's words, naming the form's fields instead of its options —
and everything typed stays but the password. The form is dismissed with what
``submit`` returned, or None on cancel.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Select, Static

from chatui.core.models import AccountConfig
from chatui.core.sanitize import one_line
from chatui.profile.linking import AccountRequest, LinkError, NoKeyring, Words
from chatui.ui.widgets.ordered_keys import OrderedInput

log = logging.getLogger(__name__)

FORM_WORDS = Words(
    server="the server URL",
    username="the username",
    matrix_user="the username",
    user_example="like @alice:example.org",
    homeserver_example="like https://matrix.example.org",
    add_register="choose “Create a new account”",
    without_register="choose “Log in”",
    register_only_local="then link it with “Log in”",
    link_created="link it with “Log in”",
)
"""The linking steps' messages, naming this form's fields and choices."""

KINDS: tuple[tuple[str, str], ...] = (("chatui server", "local"), ("Matrix", "matrix"))

Submit = Callable[[AccountRequest, str], Awaitable[object]]
"""Link (or log in again) with what the form holds and the password; raises
:class:`~chatui.profile.linking.LinkError` in the user's words."""

_PLACEHOLDERS = {
    "local": ("http://127.0.0.1:8765", "alice"),
    "matrix": ("optional: found from the user id", "@alice:example.org"),
}


class AccountForm(ModalScreen[object | None]):
    """Kind, server, username, log in or create, password; Enter submits."""

    DEFAULT_CSS = """
    AccountForm {
        align: center middle;
    }
    AccountForm > Vertical {
        width: 72;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        padding: 0 2;
        border: round $primary;
        background: $surface;
    }
    AccountForm #form-title {
        text-style: bold;
        margin-bottom: 1;
    }
    AccountForm #intro {
        height: auto;
        margin-bottom: 1;
    }
    AccountForm Grid {
        grid-size: 2;
        grid-columns: 14 1fr;
        grid-rows: 1;
        grid-gutter: 0 0;
        height: auto;
    }
    AccountForm Grid Label {
        color: $text-muted;
    }
    AccountForm #mode {
        layout: horizontal;
        height: 1;
        width: 1fr;
        background: transparent;
    }
    AccountForm #mode RadioButton {
        width: auto;
        margin-right: 3;
    }
    AccountForm .hidden {
        display: none;
    }
    AccountForm #file-store {
        background: transparent;
    }
    AccountForm #error {
        color: $error;
        height: auto;
        margin-top: 1;
    }
    AccountForm #note {
        color: $text-muted;
        height: auto;
        margin-top: 1;
    }
    AccountForm #buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    AccountForm #buttons Button {
        margin-left: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="account_form.cancel"),
    ]

    def __init__(
        self,
        submit: Submit,
        *,
        token_store: str = "keyring",
        relogin: AccountConfig | None = None,
        reason: str = "",
    ) -> None:
        """``token_store``: where a new account's token goes unless the user changes
        it (:func:`~chatui.profile.linking.default_token_store`). ``relogin``: the
        account to log in again to (its kind, server and user fixed, only the
        password asked), with ``reason`` the server's words for the refusal."""
        super().__init__()
        self._submit = submit
        self._relogin = relogin
        self._reason = reason
        self._token_store = relogin.token_store if relogin is not None else token_store
        self._busy = False

    # --- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        relogin = self._relogin
        kind = relogin.kind if relogin is not None else "local"
        server_hint, user_hint = _PLACEHOLDERS.get(kind, _PLACEHOLDERS["local"])
        with Vertical():
            yield Static(
                "Log in again" if relogin is not None else "Add an account", id="form-title"
            )
            if relogin is not None:
                yield Static(self._intro(relogin), id="intro")
            with Grid():
                yield Label("Kind")
                yield Select(
                    [(name, value) for name, value in KINDS],
                    value=kind,
                    allow_blank=False,
                    compact=True,
                    id="kind",
                    disabled=relogin is not None,
                )
                yield Label("Server", id="server-label")
                yield OrderedInput(
                    relogin.server if relogin is not None else "",
                    placeholder=server_hint,
                    compact=True,
                    id="server",
                    disabled=relogin is not None,
                )
                yield Label("Username")
                yield OrderedInput(
                    relogin.username if relogin is not None else "",
                    placeholder=user_hint,
                    compact=True,
                    id="username",
                    disabled=relogin is not None,
                )
                yield Label("", classes="hidden" if relogin is not None else "")
                yield RadioSet(
                    RadioButton("Log in", value=True, id="login"),
                    RadioButton("Create a new account (register)", id="register"),
                    compact=True,
                    id="mode",
                    classes="hidden" if relogin is not None else "",
                )
                yield Label("Password")
                yield OrderedInput(password=True, compact=True, id="password")
                yield Label("Again", id="again-label", classes="hidden")
                yield OrderedInput(
                    password=True,
                    compact=True,
                    placeholder="the new password once more",
                    id="again",
                    classes="hidden",
                )
                # Offered when the profile keeps its tokens in files already, or once
                # the keyring turns out not to answer (the CLI's --token-store file).
                offered = "" if self._token_store == "file" and relogin is None else "hidden"
                yield Label("Token", id="file-store-label", classes=offered)
                yield Checkbox(
                    "in a file (mode 0600, not encrypted)",
                    value=self._token_store == "file",
                    compact=True,
                    id="file-store",
                    classes=offered,
                    disabled=relogin is not None,
                )
            yield Static("", id="error", markup=False, classes="hidden")
            yield Static(self._note(self._token_store), id="note", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Cancel", compact=True, id="cancel")
                yield Button("Log in", compact=True, id="submit", variant="primary")

    def _intro(self, account: AccountConfig) -> Text:
        reason = one_line(self._reason) if self._reason else "the token is not valid"
        return Text(
            f"The server refused the saved token of {one_line(account.username)} "
            f"on {one_line(account.server)} ({reason}). Type the password to log in "
            "again; the new token replaces the old one."
        )

    @staticmethod
    def _note(token_store: str) -> str:
        where = (
            "in a file only you can read (mode 0600, not encrypted)"
            if token_store == "file"
            else "in the system keyring"
        )
        return f"The password is used once and never stored; the token is kept {where}."

    def on_mount(self) -> None:
        self.query_one("#password" if self._relogin is not None else "#server", Input).focus()

    # --- what the form holds -----------------------------------------------------------

    @property
    def kind(self) -> str:
        return str(self.query_one("#kind", Select).value)

    @property
    def register(self) -> bool:
        return self.query_one("#register", RadioButton).value

    @property
    def token_store(self) -> str:
        return "file" if self.query_one("#file-store", Checkbox).value else "keyring"

    @property
    def error_text(self) -> str:
        return str(self.query_one("#error", Static).content)

    def show_error(self, message: str) -> None:
        error = self.query_one("#error", Static)
        error.update(Text(message))
        error.set_class(not message, "hidden")

    # --- reacting to choices -----------------------------------------------------------

    @on(Select.Changed, "#kind")
    def _kind_changed(self) -> None:
        kind = self.kind
        server_hint, user_hint = _PLACEHOLDERS.get(kind, _PLACEHOLDERS["local"])
        self.query_one("#server", Input).placeholder = server_hint
        self.query_one("#username", Input).placeholder = user_hint
        label = "Homeserver" if kind == "matrix" else "Server"
        self.query_one("#server-label", Label).update(label)
        # Only chatui servers take new accounts from here (as `account add --register`).
        create = self.query_one("#register", RadioButton)
        if kind != "local" and create.value:
            self.query_one("#login", RadioButton).value = True
        create.disabled = kind != "local"
        self._mode_changed()

    @on(RadioSet.Changed, "#mode")
    def _mode_changed(self) -> None:
        creating = self.register
        for selector in ("#again", "#again-label"):
            self.query_one(selector).set_class(not creating, "hidden")
        self.query_one("#submit", Button).label = "Create account" if creating else "Log in"

    @on(Checkbox.Changed, "#file-store")
    def _store_changed(self) -> None:
        self.query_one("#note", Static).update(self._note(self.token_store))

    # --- submitting --------------------------------------------------------------------

    def action_cancel(self) -> None:
        if not self._busy:
            self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#submit")
    @on(Input.Submitted)
    def _submit_pressed(self) -> None:
        if self._busy:
            return  # one login at a time: Enter twice must not log in twice
        password = self.query_one("#password", Input).value
        if not password:
            self.show_error("Type the password.")
            self.query_one("#password", Input).focus()
            return
        if self.register and self.query_one("#again", Input).value != password:
            self._failed("The two passwords differ; type them again.")
            return
        request = AccountRequest(
            kind=self.kind,
            server=self.query_one("#server", Input).value,
            username=self.query_one("#username", Input).value,
            register=self.register,
            token_store=self.token_store,
        )
        self._busy = True
        self.query_one("#submit", Button).disabled = True
        self.show_error("Creating the account…" if request.register else "Logging in…")
        self._run(request, password)

    @work(exclusive=True, group="account-form", exit_on_error=False)
    async def _run(self, request: AccountRequest, password: str) -> None:
        try:
            result = await self._submit(request, password)
        except NoKeyring as err:
            self._no_keyring(err.reason)
            return
        except LinkError as err:
            self._failed(_sentence(str(err)))
            return
        except Exception as err:  # a bug must not leave the form "Logging in…" for ever
            log.exception("linking the account failed")
            self._failed(f"Could not link the account: {one_line(str(err)) or type(err).__name__}")
            return
        self.dismiss(result)

    def _failed(self, message: str) -> None:
        """Say why in one line; the password goes, the rest stays to be corrected."""
        self._busy = False
        self.query_one("#submit", Button).disabled = False
        self.show_error(one_line(message, max_len=400))
        for selector in ("#password", "#again"):
            self.query_one(selector, Input).value = ""
        self.query_one("#password", Input).focus()

    def _no_keyring(self, reason: str) -> None:
        """No Secret Service: offer the CLI's other choice, the 0600 file."""
        for selector in ("#file-store", "#file-store-label"):
            self.query_one(selector).remove_class("hidden")
        self._failed(
            f"Cannot keep the token in the system keyring: {reason}. Tick “Token in a file”"
            " above, or start a Secret Service (e.g. gnome-keyring) and try again."
        )


def _sentence(message: str) -> str:
    """A linking step's message as the form's line: capitalised, as it stands alone."""
    return message[:1].upper() + message[1:]
