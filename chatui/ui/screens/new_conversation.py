"""Ctrl+N: start a conversation, choosing which linked account it is sent from.

The dialog does the creating itself (through the ``create`` callable it is given),
so that a refusal from the server — an unknown user, say — is shown right here
and the dialog stays open with everything typed still in place. It is dismissed
with the created :class:`~chatui.core.models.Thread`, or ``None`` on cancel.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Input, Label, Select, Static

from chatui.backends.base import BackendError
from chatui.core.models import AccountConfig, Thread
from chatui.core.sanitize import one_line
from chatui.ui.widgets.ordered_keys import OrderedInput
from chatui.ui.widgets.status import account_tag

_SPLIT = re.compile(r"[,\s]+")


@dataclass(frozen=True, slots=True)
class NewConversation:
    """What the user asked for: who, from which account, and an optional title."""

    account_id: str
    members: tuple[str, ...]
    title: str | None = None

    @classmethod
    def from_form(cls, account_id: str, members: str, title: str) -> NewConversation:
        """Parse the form's fields; raises ValueError with a message for the user."""
        names = tuple(dict.fromkeys(n for n in _SPLIT.split(members.strip()) if n))
        if not names:
            raise ValueError("Name at least one member (usernames, separated by commas).")
        return cls(account_id=account_id, members=names, title=title.strip() or None)


CreateThread = Callable[[NewConversation], Awaitable[Thread]]

_HINT_NAMES = 5  # people named under the members field


class PeopleSuggester(Suggester):
    """Completes the name being typed (the last one in the list) from the people
    the user already talks to on the chosen account, most recent first."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.people: Sequence[str] = ()

    async def get_suggestion(self, value: str) -> str | None:
        typed = _SPLIT.split(value)[-1]
        if not typed:
            return None
        already = {n.casefold() for n in _SPLIT.split(value)[:-1]}
        wanted = typed.casefold()
        for name in self.people:
            folded = name.casefold()
            if folded.startswith(wanted) and folded != wanted and folded not in already:
                return value + name[len(typed) :]
        return None


class NewConversationScreen(ModalScreen[Thread | None]):
    """A small form: account, members, title; Create or Cancel."""

    DEFAULT_CSS = """
    NewConversationScreen {
        align: center middle;
    }
    NewConversationScreen > Vertical {
        width: 64;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        padding: 0 2 1 2;
        border: round $primary;
        background: $surface;
    }
    NewConversationScreen #title-line {
        text-style: bold;
    }
    NewConversationScreen Label {
        margin-top: 1;
        color: $text-muted;
    }
    NewConversationScreen #people {
        color: $text-muted;
        height: auto;
    }
    NewConversationScreen #error {
        color: $error;
        height: auto;
        margin-top: 1;
    }
    NewConversationScreen #buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    NewConversationScreen #buttons Button {
        margin-left: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="new_conversation.cancel"),
    ]

    def __init__(
        self,
        accounts: Sequence[AccountConfig],
        create: CreateThread,
        *,
        account_id: str | None = None,
        people: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """``people``: account id -> the people already talked to there, most recent
        first (suggested while typing members; a direct chat with one of them is
        opened rather than made twice, by ``create``)."""
        super().__init__()
        self._accounts = list(accounts)
        self._create = create
        self._people = dict(people or {})
        self._suggester = PeopleSuggester()
        known = {a.account_id for a in self._accounts}
        self._initial_account = account_id if account_id in known else self._accounts[0].account_id

    def compose(self) -> ComposeResult:
        options = [(_account_option(a), a.account_id) for a in self._accounts]
        with Vertical():
            yield Static("New conversation", id="title-line")
            yield Label("Send from")
            yield Select(
                options,
                value=self._initial_account,
                allow_blank=False,
                compact=True,
                id="account",
            )
            yield Label("Members (usernames, comma-separated)")
            yield OrderedInput(
                placeholder="bob, carol", compact=True, id="members", suggester=self._suggester
            )
            yield Static("", id="people", markup=False)
            yield Label("Title (optional)")
            yield OrderedInput(
                placeholder="leave empty to name it after the members",
                compact=True,
                id="title",
            )
            yield Static("", id="error", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Cancel", compact=True, id="cancel")
                yield Button("Create", compact=True, id="create", variant="primary")

    def on_mount(self) -> None:
        self._show_people(self._initial_account)
        self.query_one("#members", Input).focus()

    @on(Select.Changed, "#account")
    def _account_changed(self, event: Select.Changed) -> None:
        self._show_people(str(event.value))

    def _show_people(self, account_id: str) -> None:
        """The people of ``account_id``: suggested, and named under the field."""
        people = list(self._people.get(account_id, ()))
        self._suggester.people = people
        hint = ""
        if people:
            shown = ", ".join(one_line(p, 32) for p in people[:_HINT_NAMES])
            more = " …" if len(people) > _HINT_NAMES else ""
            hint = f"You talk to {shown}{more} (→ completes)"
        self.query_one("#people", Static).update(Text(hint))

    def show_error(self, message: str) -> None:
        self.query_one("#error", Static).update(Text(message))

    @property
    def error_text(self) -> str:
        return str(self.query_one("#error", Static).content)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#create")
    @on(Input.Submitted)
    def _submit(self) -> None:
        account_id = self.query_one("#account", Select).value
        try:
            request = NewConversation.from_form(
                str(account_id),
                self.query_one("#members", Input).value,
                self.query_one("#title", Input).value,
            )
        except ValueError as err:
            self.show_error(str(err))
            return
        self.show_error("Creating…")
        self._run_create(request)

    @work(exclusive=True, group="new-conversation")
    async def _run_create(self, request: NewConversation) -> None:
        try:
            thread = await self._create(request)
        except BackendError as err:
            self.show_error(f"Could not create it: {err}")
            return
        self.dismiss(thread)


def _account_option(account: AccountConfig) -> Text:
    # The account id, not the server URL: it is what `chatui account list` shows, it
    # is unique in the profile, and it does not carry a (possibly random) port.
    text = Text.assemble(account_tag(account), " ")
    text.append(f"{one_line(account.username)} · {one_line(account.account_id)}", style="not bold")
    return text
