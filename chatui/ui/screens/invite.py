"""An invitation to a conversation: Accept, Decline, or decide Later.

Shown when the user opens a thread whose ``membership`` is ``"invite"`` (Matrix
invites; see docs/matrix.md). The screen is dismissed with an
:data:`InviteChoice`. When it is given an ``answer`` callable it performs the
choice itself (accepting or declining through the backend), so that a refusal from
the server is shown right here and the user can try again or choose Later; without
one, the caller acts on the result.

All names come from a server and are untrusted: they are shown as plain ``Text``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar, Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from chatui.backends.base import BackendError
from chatui.core.models import AccountConfig, Thread
from chatui.core.sanitize import one_line
from chatui.ui.widgets.status import account_tag

InviteChoice = Literal["accept", "decline", "later"]
AnswerInvite = Callable[[InviteChoice], Awaitable[object]]


class InviteScreen(ModalScreen[InviteChoice]):
    """ "Bob invited you to Book club" with Accept / Decline / Later."""

    DEFAULT_CSS = """
    InviteScreen {
        align: center middle;
    }
    InviteScreen > Vertical {
        width: 60;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        padding: 0 2 1 2;
        border: round $primary;
        background: $surface;
    }
    InviteScreen #title-line {
        text-style: bold;
    }
    InviteScreen #invite-text {
        margin-top: 1;
    }
    InviteScreen #error {
        color: $error;
        height: auto;
        margin-top: 1;
    }
    InviteScreen #buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    InviteScreen #buttons Button {
        margin-left: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,l", "choose('later')", "Later", id="invite.later"),
        Binding("a", "choose('accept')", "Accept", id="invite.accept"),
        Binding("d", "choose('decline')", "Decline", id="invite.decline"),
    ]

    def __init__(
        self,
        thread: Thread,
        account: AccountConfig | None = None,
        answer: AnswerInvite | None = None,
    ) -> None:
        super().__init__()
        self.thread = thread
        self._account = account
        self._answer = answer

    def invite_text(self) -> Text:
        inviter = one_line(self.thread.inviter or "Someone", max_len=80)
        title = one_line(self.thread.title or "a conversation", max_len=120)
        text = Text()
        if self._account is not None:
            text.append_text(account_tag(self._account))
            text.append(" ")
        text.append(inviter, style="bold")
        text.append(" invited you to ")
        text.append(title, style="bold")
        return text

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Invitation", id="title-line")
            yield Static(self.invite_text(), id="invite-text")
            yield Static("", id="error", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Later", compact=True, id="later")
                yield Button("Decline", compact=True, id="decline", variant="error")
                yield Button("Accept", compact=True, id="accept", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#accept", Button).focus()

    def show_error(self, message: str) -> None:
        self.query_one("#error", Static).update(Text(message))

    @property
    def error_text(self) -> str:
        return str(self.query_one("#error", Static).content)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id in ("accept", "decline", "later"):
            self.action_choose(event.button.id)  # type: ignore[arg-type]

    def action_choose(self, choice: InviteChoice) -> None:
        if choice == "later" or self._answer is None:
            self.dismiss(choice)
            return
        self.show_error("Accepting…" if choice == "accept" else "Declining…")
        self._run_answer(choice)

    @work(exclusive=True, group="invite")
    async def _run_answer(self, choice: InviteChoice) -> None:
        assert self._answer is not None
        try:
            await self._answer(choice)
        except BackendError as err:
            self.show_error(f"Could not {choice} it: {err}")
            return
        self.dismiss(choice)
