"""The chatui Textual application: the merged thread list, the open thread, the
composer and the status bar, wired to one :class:`~chatui.client.Session`.

Everything the app shows comes from the Session; the app only turns the
Session's change records into view refreshes and the user's keys into Session
calls. Network work runs in workers so that the first frame never waits for a
server, and a slow server never freezes typing.

Vanish mode, chat themes and reactions (issues 5 and 6) come in three ways each,
as people reach for them: a key shown in the footer, the command palette, and a
``/command`` typed in the composer (chatui.ui.commands). Keys, all usable while
typing (none is taken by the composer's ``Input``): Ctrl+G vanish menu, Ctrl+T
chat theme, Ctrl+R quick reaction, Ctrl+Y react with any emoji, Ctrl+O insert an
emoji, F1 (or ``?`` outside the composer) help, Ctrl+Z suspend.

What counts as "seen" for vanish timers: the message view reports the messages
whose lines it drew (``MessageView.Shown``); they are passed to
``Session.messages_seen`` while the thread is actually visible: the main screen
is on top, or a screen that leaves the thread in view (``THREAD_VISIBLE``, the
theme picker's side panel). Under a centred dialog (menus, help, the palette,
the emoji picker) the report is held and passed on when the dialog closes, if
the thread is still the open one. A terminal in the background (app blur) still
counts: its window is usually still in sight. Leaving a thread (opening another),
quitting and suspending (Ctrl+Z) close it (``Session.close_thread``); Esc only
moves the focus to the list, the thread stays open on the right.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import RenderableType
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input

from chatui.backends.base import BackendError
from chatui.client import (
    AccountStateChanged,
    Change,
    HistoryRefetched,
    InboxChanged,
    MessagesChanged,
    SendFailed,
    Session,
)
from chatui.core.models import AccountConfig, Message, Thread, ThreadKey, VanishSetting
from chatui.ui.composer import Composer
from chatui.ui.message_view import MessageView
from chatui.ui.status import KeyBar, StatusBar, ThreadHeader, one_line
from chatui.ui.thread_list import ThreadListView

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from chatui.accounts.profile import Profile
    from chatui.core.contrast import ColorDepth
    from chatui.core.themes import ChatTheme, ThemeCatalog
    from chatui.recent_emoji import RecentEmoji
    from chatui.ui.chat_style import ChatStyles
    from chatui.ui.palette import ChatCommandsProvider, ConversationsProvider
    from chatui.ui.screens.help import HelpScreen
    from chatui.ui.screens.new_conversation import NewConversation, NewConversationScreen


def _conversations_provider() -> type[ConversationsProvider]:
    """Imported when the palette first opens: not needed for the first frame."""
    from chatui.ui.palette import ConversationsProvider

    return ConversationsProvider


def _chat_commands_provider() -> type[ChatCommandsProvider]:
    """The open conversation's commands (vanish, theme, reactions, help)."""
    from chatui.ui.palette import ChatCommandsProvider

    return ChatCommandsProvider


FALLBACK_QUICK_REACTION = "👍"
"""The quick reaction when no chat theme can be read (the themes module missing)."""

_THREAD_ACTIONS = frozenset(
    {"vanish_menu", "theme_picker", "quick_react", "react_picker", "insert_emoji"}
)

# The help screen's key list: (action, what it does), in this order.
_HELP_KEYS: tuple[tuple[str, str], ...] = (
    ("quit", "quit"),
    ("new_conversation", "start a conversation"),
    ("command_palette", "command palette: jump to a conversation, run any command"),
    ("back_to_list", "from the conversation back to the list"),
    ("vanish_menu", "vanish mode: off, vanish once seen, or a timer"),
    ("theme_picker", "this conversation's chat theme (live preview; Esc keeps the old one)"),
    ("quick_react", "quick reaction to the selected (or newest) message"),
    ("react_picker", "react with any emoji"),
    ("insert_emoji", "insert an emoji into the message box"),
    ("retry_failed", "retry a message the server refused (conversation focused)"),
    ("discard_failed", "discard a message the server refused (conversation focused)"),
    ("suspend", "suspend to the shell (closes the conversation, as quitting does)"),
    ("help", "this help"),
)


class ChatApp(App[str | None]):
    """One window: every linked account's conversations, merged.

    ``ChatApp(None)`` (or a Session without accounts) shows the first-run screen;
    the app then exits with ``"demo"`` if the user asked for the demo.
    """

    CSS_PATH = Path(__file__).with_name("app.tcss")
    COMMANDS = App.COMMANDS | {_conversations_provider, _chat_commands_provider}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("ctrl+n", "new_conversation", "New chat", id="new_conversation"),
        Binding(
            "ctrl+p",
            "command_palette",
            "Find",
            id="command_palette",
            priority=True,
            show=False,  # the footer shows the palette key on its right already
            tooltip="Jump to any conversation, or run a command",
        ),
        Binding("escape", "back_to_list", "Back to list", id="back_to_list"),
        # The conversation's settings and reactions: ctrl keys, so that they work
        # while typing (the composer's Input binds none of these).
        Binding(
            "ctrl+g",
            "vanish_menu",
            "Vanish",
            id="vanish_menu",
            tooltip="Disappearing messages: off, vanish once seen, or a timer",
        ),
        Binding(
            "ctrl+t",
            "theme_picker",
            "Theme",
            id="theme_picker",
            tooltip="This conversation's chat theme, shared with everyone in it",
        ),
        Binding(
            "ctrl+r",
            "quick_react",
            "React",
            id="quick_react",
            tooltip="React to the selected (or newest) message with the quick reaction",
        ),
        Binding(
            "ctrl+y",
            "react_picker",
            "React…",
            id="react_picker",
            show=False,
            tooltip="React with any emoji",
        ),
        Binding(
            "ctrl+o",
            "insert_emoji",
            "Emoji",
            id="insert_emoji",
            show=False,
            tooltip="Insert an emoji into the message box",
        ),
        Binding("f1", "help", "Help", id="help", tooltip="Keys, commands, vanish mode's limits"),
        # "?" reaches the app only when the composer does not take it as text.
        Binding("question_mark", "help", "Help", id="help_question", show=False),
        Binding("ctrl+z", "suspend", "Suspend", id="suspend", show=False),
        # Only with the conversation focused and a refused message in it (check_action).
        Binding("r", "retry_failed", "Retry failed", id="retry_failed"),
        Binding("x", "discard_failed", "Discard failed", id="discard_failed"),
    ]

    def __init__(
        self,
        session: Session | None,
        profile: Profile | None = None,
        *,
        title: str = "chatui",
    ) -> None:
        super().__init__()
        if os.environ.get("TERM") == "dumb" and not self.no_color:
            # Textual drops colors for NO_COLOR only; a dumb terminal cannot show them
            # either (DESIGN.md §5): the same filter, so the chrome matches the chat.
            from textual.filter import Monochrome

            self.no_color = True
            self._filters.append(Monochrome())
        self.session = session
        self.profile = profile
        self.title = title
        self.shown_key: ThreadKey | None = None
        """The thread on the right (stays there after Esc; see :meth:`open_thread`)."""
        self._drafts: dict[ThreadKey, str] = {}
        self._draft_timer: Timer | None = None
        self._older_exhausted: set[ThreadKey] = set()
        self._loading_older: set[ThreadKey] = set()
        self._send_lock = asyncio.Lock()
        self._inbox_dirty = False
        self._shutting_down = False
        self._in_view: tuple[ThreadKey, tuple[str, ...]] | None = None
        """The messages the view last reported drawn (see the module docstring)."""
        self._catalog: ThemeCatalog | None = None
        self._catalog_loaded = False
        self._depth: ColorDepth | None = None  # read once, with the catalog
        self._styled: tuple[ThreadKey, object] | None = None
        """(thread, its theme mapping) that the message view is styled for."""
        self._default_theme_name: str | None = None
        """The user's own default chat theme ([display] theme), for unthemed threads."""
        self._recent_emoji: RecentEmoji | None = None

    async def run_async(self, **kwargs: Any) -> str | None:
        # Everything allocated before the app starts (imported modules, classes, the
        # config) lives as long as the app. Frozen, the garbage collector stops
        # walking it: a full collection over it (~15 ms here) used to land in the
        # first frame (bench/startup.py), and every later one in a session is
        # cheaper too. Unfrozen on the way out, for whatever the process runs next.
        gc.freeze()
        try:
            return await super().run_async(**kwargs)
        finally:
            gc.unfreeze()

    @property
    def first_run(self) -> bool:
        return self.session is None or not self.session.linked

    # --- layout ----------------------------------------------------------------------

    def get_default_screen(self) -> Screen:
        # An id of our own, so that app.tcss lays out this screen and no other.
        return Screen(id="main")

    def compose(self) -> ComposeResult:
        if self.first_run:
            return
        # The screen itself lays the list and the conversation side by side, and the
        # two bars are docked under them (app.tcss): one container fewer to mount,
        # style and paint before the first frame.
        yield ThreadListView(id="threads")
        # Filled right after the first frame (see _mount_conversation).
        yield Vertical(id="conversation")
        yield StatusBar(id="status")
        yield KeyBar()

    def on_mount(self) -> None:
        if self.first_run:
            from chatui.ui.screens.first_run import FirstRunScreen

            self.push_screen(FirstRunScreen(), callback=self._first_run_done)
            return
        session = self.session
        assert session is not None
        self.thread_list = self.query_one(ThreadListView)
        self.status_bar = self.query_one(StatusBar)
        self.thread_header = ThreadHeader(id="thread-header")
        self.message_view = MessageView(id="messages")
        self.composer = Composer(id="composer")
        # The store first: everything cached is in the first frame, before any server
        # answers (or with every server down).
        session.load_cached()
        if session.store is not None:
            self._drafts.update(session.store.drafts())
        self.thread_list.set_source(session.inbox, session.me, self._accounts())
        self.status_bar.update_states(self._accounts(), session.states)
        self.thread_list.focus()
        session.add_listener(self._on_session_change)
        # The view shows each message's remaining time from the Session's timers.
        self.message_view.deadline_of = lambda m: session.expires_at(m.thread_key, m.message_id)
        self.screen_change_signal.subscribe(self, self._screen_changed)
        self.app_suspend_signal.subscribe(self, self._suspended)
        self.app_resume_signal.subscribe(self, self._resumed)
        # No conversation is open at start, so the first frame is the list alone;
        # the conversation pane's widgets (a third of the first frame's cost) are
        # mounted right after it (bench/startup.py, docs/performance.md).
        self.call_after_refresh(self._mount_conversation)
        # Started after the first frame is drawn: the first frame must not wait for
        # any server, nor for setting up HTTP clients (bench/startup.py measures it).
        self.call_after_refresh(self._begin_session)

    def _mount_conversation(self) -> None:
        if self._shutting_down:
            return
        pane = self.query_one("#conversation", Vertical)
        # mount() adds them to the DOM at once (queries and calls work from here on);
        # their own on_mount runs on their next turn.
        pane.mount(self.thread_header, self.message_view, self.composer)
        self.thread_header.show(None, None, "")

    def _accounts(self) -> dict[str, AccountConfig]:
        assert self.session is not None
        return {account_id: linked.config for account_id, linked in self.session.linked.items()}

    def _first_run_done(self, result: str | None) -> None:
        self.exit(result=result)

    def _begin_session(self) -> None:
        self.run_worker(self._start_session(), name="session-start", exit_on_error=False)
        # After the first frame too: reading the theme files is not needed for it.
        self._theme_catalog()
        self.composer.recent_emoji = tuple(self._recent_emoji_items())

    async def _start_session(self) -> None:
        assert self.session is not None
        await self.session.start()

    def exit(
        self,
        result: str | None = None,
        return_code: int = 0,
        message: RenderableType | None = None,
    ) -> None:
        # From here on the widgets go away; session changes must not touch them.
        self._shutting_down = True
        super().exit(result=result, return_code=return_code, message=message)

    async def on_unmount(self) -> None:
        self._shutting_down = True
        if self.session is not None:
            self._save_drafts()
            # Quitting closes the open chat: "vanish" messages seen in it go.
            self.session.close_thread()
            await self.session.stop()

    @on(Input.Changed, "#composer")
    def _draft_changed(self, event: Input.Changed) -> None:
        # Kept across restarts (and crashes): stored a moment after typing pauses,
        # not on every key.
        if self.session is None or self.session.store is None:
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(0.5, self._store_draft)

    def _store_draft(self) -> None:
        self._draft_timer = None
        session = self.session
        if self._shutting_down or session is None or session.store is None:
            return
        if self.shown_key is not None:
            try:
                session.store.set_draft(self.shown_key, self.composer.value)
            except Exception:
                log.exception("could not store the draft")

    def _save_drafts(self) -> None:
        """Keep every composer draft for the next run (the shown one included)."""
        session = self.session
        if session is None or session.store is None or self.first_run:
            return
        drafts = dict(self._drafts)
        if self.shown_key is not None:
            drafts[self.shown_key] = self.composer.value
        try:
            session.store.save_drafts(drafts)
        except Exception:  # a full disk must not turn quitting into a crash
            log.exception("could not save the drafts")

    # --- session changes -> views ----------------------------------------------------

    def _on_session_change(self, change: Change) -> None:
        """Called by the Session on this same asyncio loop, possibly in bursts."""
        if self._shutting_down:
            return
        match change:
            case InboxChanged():
                # A burst of events is drawn once: mark dirty, flush on the next turn.
                if not self._inbox_dirty:
                    self._inbox_dirty = True
                    self.call_next(self._flush_inbox)
            case MessagesChanged(key=key):
                if key == self.shown_key and self.session is not None:
                    self.message_view.update_messages(self.session.messages(key))
                    self.refresh_bindings()  # a failed message may have come or gone
            case AccountStateChanged():
                if self.session is not None:
                    self.status_bar.update_states(self._accounts(), self.session.states)
            case SendFailed(key=key, reason=reason):
                self.notify(
                    f"Not sent: {one_line(reason)}",
                    title="Message not sent",
                    severity="error",
                    markup=False,
                )
            case HistoryRefetched(account_id=account_id, reason=reason):
                # Plain text (markup=False): the reason is the server's words.
                name = account_id
                if self.session is not None and account_id in self.session.linked:
                    label = self.session.account(account_id).label
                    name = label if len(label) > 1 else account_id
                self.notify(
                    f"{one_line(name)}: history was refetched — the server no longer knew"
                    f" where we left off ({one_line(reason)})",
                    title="History refetched",
                    severity="warning",
                    markup=False,
                )

    def _flush_inbox(self) -> None:
        self._inbox_dirty = False
        if self._shutting_down or self.session is None:
            return
        self.thread_list.refresh_threads()
        self._refresh_header()
        # The shared settings may have changed (someone else set vanish or a theme).
        self._sync_thread_look()

    def _refresh_header(self) -> None:
        session = self.session
        if session is None or self.shown_key is None:
            self.thread_header.show(None, None, "")
            return
        thread = session.inbox.get(self.shown_key)
        account_id = self.shown_key[0]
        self.thread_header.show(thread, session.account(account_id), session.me(account_id))

    # --- opening threads -------------------------------------------------------------

    @on(ThreadListView.Opened)
    def _list_opened(self, event: ThreadListView.Opened) -> None:
        event.stop()
        self._open_or_answer(event.key)

    def jump_to(self, key: ThreadKey) -> None:
        """Select ``key`` in the list and open it (the command palette's action)."""
        if self.session is None or key not in self.session.inbox:
            return
        self.thread_list.select_key(key)
        self._open_or_answer(key)

    def _open_or_answer(self, key: ThreadKey) -> None:
        """Open a conversation, or first ask about it if it is still an invitation."""
        session = self.session
        thread = session.inbox.get(key) if session is not None else None
        if session is None or thread is None:
            return
        if thread.membership != "invite":
            self.open_thread(key, focus_composer=True)
            return
        from chatui.ui.screens.invite import InviteScreen

        async def answer(choice: str) -> None:
            if choice == "accept":
                await session.accept_invite(key)
            elif choice == "decline":
                await session.decline_invite(key)

        def answered(choice: str | None) -> None:
            if choice == "accept":
                self.thread_list.select_key(key)
                self.open_thread(key, focus_composer=True)

        screen = InviteScreen(thread, session.account(key[0]), answer)
        self.push_screen(screen, callback=answered)

    def open_thread(self, key: ThreadKey, *, focus_composer: bool = False) -> None:
        """Show ``key`` on the right at once, then load it in the background.

        The thread stays open (and so counts as read) until another one is opened;
        Esc only moves the focus back to the list.
        """
        session = self.session
        if session is None:
            return
        thread = session.inbox.get(key)
        if thread is None:
            return
        if self.shown_key != key:
            if self.shown_key is not None:
                self._drafts[self.shown_key] = self.composer.value
                if session.store is not None:
                    session.store.set_draft(self.shown_key, self.composer.value)
                session.close_thread()
            self.composer.value = self._drafts.pop(key, "")
            self.shown_key = key
            me = session.me(key[0])
            self.message_view.show(
                key,
                session.messages(key),
                me,
                title=thread.display_title(me),
                loading=not session.is_loaded(key),
            )
            self._refresh_header()
            self._in_view = None
            self._sync_thread_look()
        if focus_composer:
            self.composer.focus()
        self._load_thread(key)

    @work(exclusive=True, group="open-thread", exit_on_error=False)
    async def _load_thread(self, key: ThreadKey) -> None:
        assert self.session is not None
        await self.session.open_thread(key)
        self._pass_on_seen()  # what was drawn before the Session had it open

    @on(MessageView.NearTop)
    def _near_top(self, event: MessageView.NearTop) -> None:
        event.stop()
        key = event.key
        if key != self.shown_key or key in self._older_exhausted or key in self._loading_older:
            return
        self._loading_older.add(key)
        self._load_older(key)

    @work(group="load-older", exit_on_error=False)
    async def _load_older(self, key: ThreadKey) -> None:
        # Not an exclusive worker: a second NearTop must not cancel a page in flight
        # (it would be fetched again from scratch); it is simply ignored instead.
        assert self.session is not None
        try:
            if not await self.session.load_older(key):
                # History never grows backwards: stop asking once the start is reached.
                self._older_exhausted.add(key)
        finally:
            self._loading_older.discard(key)

    # --- sending ---------------------------------------------------------------------

    @on(Composer.Send)
    def _composer_send(self, event: Composer.Send) -> None:
        event.stop()
        # Imported on the first send: the parser's classes are not needed for the
        # first frame (bench/startup.py).
        from chatui.ui import commands

        command = commands.parse(event.text)
        if isinstance(command, commands.Invalid):
            # Not carried out and not sent: the text stays in the composer to fix.
            self.notify(command.message, title="Not sent", severity="warning", markup=False)
            return
        if isinstance(command, commands.ShowHelp):
            self.composer.take()
            self.action_help()
            return
        key = self.shown_key
        if key is None:
            self.notify("Open a conversation first (Enter on the list).", severity="warning")
            return
        match command:
            case commands.SendText(text=text):
                self.composer.take()
                self.message_view.scroll_to_latest()
                self._send(key, text)
            case commands.SetVanish(setting=setting):
                self.request_vanish(setting, typed=self.composer.take())
            case commands.OpenVanishMenu():
                self.composer.take()
                self.action_vanish_menu()
            case commands.SetTheme(name=name):
                self._theme_by_name(key, name)
            case commands.OpenThemePicker():
                self.composer.take()
                self.action_theme_picker()
            case commands.React(emoji=emoji):
                target = self._reaction_target()
                if target is None:
                    self.notify("No message to react to yet.", severity="warning")
                    return
                self._react(key, target.message_id, emoji, typed=self.composer.take())
            case commands.OpenReactionPicker():
                self.composer.take()
                self.action_react_picker()

    @work(group="send", exit_on_error=False)
    async def _send(self, key: ThreadKey, text: str) -> None:
        assert self.session is not None
        # One at a time, in the order typed: concurrent sends could be reordered.
        async with self._send_lock:
            sent = await self.session.send(key, text)
        if sent is None and not self._shutting_down:
            self._keep_unsent(key, text)

    def _keep_unsent(self, key: ThreadKey, text: str) -> None:
        """Nothing typed is lost: unsent text goes back where it was written."""
        if key == self.shown_key:
            self.composer.put_back(text)
        else:
            draft = self._drafts.get(key, "")
            self._drafts[key] = f"{text} {draft}" if draft.strip() else text

    # --- actions ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _THREAD_ACTIONS:
            return (
                not self.first_run
                and self.shown_key is not None
                and self.screen is self.screen_stack[0]
            )
        if action == "help":
            return not self.first_run and self.screen is self.screen_stack[0]
        if action == "new_conversation":
            return not self.first_run and self.screen is self.screen_stack[0]
        if action in ("retry_failed", "discard_failed"):
            session = self.session
            if self.first_run or session is None or self.shown_key is None:
                return False
            if self.focused is not getattr(self, "message_view", None):
                return False
            return session.failed_message(self.shown_key) is not None
        if action == "back_to_list":
            if self.first_run or self.screen is not self.screen_stack[0]:
                return False
            return self.focused is not getattr(self, "thread_list", None)
        return True

    def action_retry_failed(self) -> None:
        if self.session is not None and self.shown_key is not None:
            self.session.retry_failed(self.shown_key)

    def action_discard_failed(self) -> None:
        if self.session is None or self.shown_key is None:
            return
        body = self.session.discard_failed(self.shown_key)
        if body is not None:
            self.notify("Discarded the message that could not be sent.", markup=False)

    def action_back_to_list(self) -> None:
        self.thread_list.focus()

    def action_suspend(self) -> None:
        # The suspend signal closes the open chat (see _suspended).
        self.action_suspend_process()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title == "Theme":
                # Textual's own theme colors the app; each conversation has its own too.
                command = command._replace(
                    help="The app's own colors (a conversation's colors: Chat theme…)"
                )
            yield command

    def action_new_conversation(self) -> None:
        session = self.session
        if session is None:
            return
        accounts = [linked.config for linked in session.linked.values()]
        # Default to the account of the thread under the cursor: the likely intent.
        cursor = self.thread_list.cursor_key
        default = cursor[0] if cursor else None
        self.push_screen(
            _new_conversation_screen()(accounts, self._create_thread, account_id=default),
            callback=self._conversation_created,
        )

    async def _create_thread(self, request: NewConversation) -> Thread:
        assert self.session is not None
        return await self.session.create_thread(
            request.account_id, list(request.members), request.title
        )

    def _conversation_created(self, thread: Thread | None) -> None:
        if thread is None:
            return
        # Draw the list now so the new row exists before it is selected.
        self._flush_inbox()
        self.jump_to(thread.key)

    # --- vanish: what was seen, and closing the chat --------------------------------

    def thread_visible(self) -> bool:
        """Is the open thread on screen for the user to read (see the module docstring)?"""
        if self.first_run or self.shown_key is None or self._shutting_down:
            return False
        screen = self.screen
        return screen is self.screen_stack[0] or bool(getattr(screen, "THREAD_VISIBLE", False))

    @on(MessageView.Shown)
    def _messages_shown(self, event: MessageView.Shown) -> None:
        """These messages' lines were drawn (see the module docstring)."""
        event.stop()
        key, ids = event.key, tuple(event.message_ids)
        if key is None or key != self.shown_key:
            return
        # Kept: passed on again when a dialog closes, and once the Session has the
        # thread open (the view may draw before Session.open_thread starts).
        self._in_view = (key, ids)
        self._pass_on_seen()

    def _pass_on_seen(self) -> None:
        """Tell the Session what is in view now, if the thread is visible."""
        in_view = self._in_view
        session = self.session
        if in_view is None or session is None:
            return
        key, ids = in_view
        if key != self.shown_key or not ids or not self.thread_visible():
            return
        try:
            session.messages_seen(key, list(ids))  # the same ids again change nothing
        except Exception:  # the screen must keep working whatever the timers do
            log.exception("messages_seen failed")

    def _screen_changed(self, screen: Screen) -> None:
        self._pass_on_seen()

    def _suspended(self, app: App) -> None:
        # Ctrl+Z is leaving the chat, as quitting is (app blur is not).
        if self.session is not None and not self.first_run:
            self.session.close_thread()

    def _resumed(self, app: App) -> None:
        if self.session is not None and not self.first_run:
            # The machine may have slept (the monotonic clock stops meanwhile):
            # whatever is due by the wall clock goes now, before it is drawn again.
            self.session.check_vanish()
        if self.shown_key is not None and not self._shutting_down:
            self._load_thread(self.shown_key)  # open again: reads and timers count anew

    def _sync_thread_look(self) -> None:
        """The open thread's shared settings -> the message view (vanish, theme)."""
        session = self.session
        key = self.shown_key
        if session is None or key is None or self.first_run:
            return
        thread = session.inbox.get(key)
        if thread is None:
            return
        self.message_view.vanish = thread.vanish  # unchanged: nothing is redrawn
        theme = thread.theme or None
        if getattr(self.screen, "previews_chat_theme", False):
            return  # the picker's preview is on; its end restyles (see _restyle)
        if self._styled != (key, theme):
            styles = self._styles_for(self._thread_theme(thread))
            if styles is not None:
                self._styled = (key, theme)
                self.message_view.chat_styles = styles

    def _restyle(self) -> None:
        """Draw the open thread in its shared theme again (after a preview)."""
        self._styled = None
        self._sync_thread_look()

    # --- vanish: changing the setting -------------------------------------------------

    def action_vanish_menu(self) -> None:
        session = self.session
        key = self.shown_key
        if session is None or key is None:
            return
        thread = session.inbox.get(key)
        if thread is None:
            return
        from chatui.ui.screens.vanish_menu import VanishMenu

        me = session.me(key[0])
        title = one_line(thread.display_title(me), 60)

        def chosen(setting: VanishSetting | None) -> None:
            if setting is not None and self.shown_key == key:
                self.request_vanish(setting)

        self.push_screen(VanishMenu(thread.vanish, title=title), callback=chosen)

    def request_vanish(self, setting: VanishSetting, *, typed: str = "") -> None:
        """Set the open thread's vanish mode (shared); ``typed`` returns on failure."""
        if self.shown_key is not None:
            self._set_vanish(self.shown_key, setting, typed)

    @work(group="settings", exit_on_error=False)
    async def _set_vanish(self, key: ThreadKey, setting: VanishSetting, typed: str) -> None:
        session = self.session
        if session is None:
            return
        try:
            await session.set_vanish(key, setting)
        except BackendError as err:
            self._not_done(key, f"Vanish mode not changed: {one_line(str(err))}", typed)
            return
        from chatui.core.notices import vanish_words

        words = vanish_words(setting)
        self.notify(words[:1].upper() + words[1:] + ".", title="Vanish mode", markup=False)

    def _not_done(self, key: ThreadKey, message: str, typed: str = "") -> None:
        """Tell the user a command failed; what they typed goes back to the composer."""
        if self._shutting_down:
            return
        self.notify(message, title="Not done", severity="error", markup=False)
        if typed:
            self._keep_unsent(key, typed)

    # --- chat themes -----------------------------------------------------------------

    def _theme_catalog(self) -> ThemeCatalog | None:
        """The shipped and the user's themes, read once; bad files reported once."""
        if self._catalog_loaded:
            return self._catalog
        self._catalog_loaded = True
        from chatui.core.contrast import detect_depth
        from chatui.core.themes import load_themes

        self._depth = detect_depth(os.environ)
        self._read_settings()
        user_dir = self.profile.config_dir / "themes" if self.profile is not None else None
        try:
            self._catalog = load_themes(user_dir)
        except Exception:  # load_themes reports bad files itself; this is a bug
            log.exception("could not read the chat themes")
            return None
        for error in self._catalog.errors:
            # The error names the file and the field (ThemeError); the rest loaded.
            self.notify(
                f"{error} — the other themes are available.",
                title="A chat theme could not be read",
                severity="warning",
                timeout=10,
                markup=False,
            )
        return self._catalog

    def _read_settings(self) -> None:
        """The profile's ``[display]`` settings; a bad one is reported once, naming it."""
        if self.profile is None:
            return
        from chatui.settings import load_settings

        settings = load_settings(self.profile)
        self._default_theme_name = settings.theme
        if settings.shortcodes and hasattr(self.message_view, "shortcodes"):
            self.message_view.shortcodes = True
        for error in settings.errors:
            self.notify(
                f"{error} — the default is used.",
                title="A setting could not be read",
                severity="warning",
                timeout=10,
                markup=False,
            )

    def _thread_theme(self, thread: Thread) -> ChatTheme | None:
        catalog = self._theme_catalog()
        if catalog is None:
            return None
        from chatui.core.themes import theme_for_thread

        try:
            if not thread.theme and self._default_theme_name:
                # No shared theme: the user's own default ([display] theme) if it exists.
                chosen = catalog.get(self._default_theme_name)
                if chosen is not None:
                    return chosen
            return theme_for_thread(thread.theme, catalog)
        except Exception:  # a theme from a server that does not fit: the default look
            log.exception("could not read the theme of %s", thread.key)
            return None

    def _styles_for(self, theme: ChatTheme | None) -> ChatStyles | None:
        if theme is None or self._depth is None:
            return None
        from chatui.ui.chat_style import ChatStyles

        try:
            return ChatStyles.for_theme(theme, self._depth)
        except Exception:
            log.exception("could not style theme %r", theme.name)
            return None

    def _open_thread_theme(self) -> ChatTheme | None:
        session = self.session
        if session is None or self.shown_key is None:
            return None
        thread = session.inbox.get(self.shown_key)
        return self._thread_theme(thread) if thread is not None else None

    def action_theme_picker(self) -> None:
        key = self.shown_key
        catalog = self._theme_catalog()
        if key is None:
            return
        if catalog is None or not catalog.themes:
            self.notify("No chat themes could be read.", severity="warning")
            return
        from chatui.ui.screens.theme_picker import ThemePicker

        view = self.message_view
        current = self._open_thread_theme()

        def preview(theme: ChatTheme) -> None:
            styles = self._styles_for(theme)
            if styles is not None and self.shown_key == key:
                view.chat_styles = styles

        def chosen(theme: ChatTheme | None) -> None:
            if theme is None or self.shown_key != key:
                self._restyle()  # Esc: the thread's own theme again
                return
            self._set_theme(key, theme)

        picker = ThemePicker(
            list(catalog.themes.values()),
            current.name if current is not None else None,
            preview,
        )
        self.push_screen(picker, callback=chosen)

    def _theme_by_name(self, key: ThreadKey, name: str | None) -> None:
        """``/theme NAME``: the catalog's theme of that name (any case), or say why not."""
        catalog = self._theme_catalog()
        if catalog is None or not catalog.themes:
            self._not_done(key, "No chat themes could be read.")
            return
        theme = None
        if name is None:
            from chatui.core.themes import DEFAULT_THEME_NAME

            theme = catalog.themes.get(DEFAULT_THEME_NAME)
        else:
            wanted = name.casefold()
            exact = [t for t in catalog.themes.values() if t.name.casefold() == wanted]
            prefix = [t for t in catalog.themes.values() if t.name.casefold().startswith(wanted)]
            found = exact or prefix
            theme = found[0] if len(found) == 1 else None
        if theme is None:
            names = ", ".join(one_line(n, 40) for n in catalog.themes)
            self.notify(
                f"No single theme called {one_line(name or 'default', 40)!r}. Themes: {names}.",
                title="Not done",
                severity="warning",
                markup=False,
            )
            return  # the text stays in the composer
        self._set_theme(key, theme, self.composer.take())

    @work(group="settings", exit_on_error=False)
    async def _set_theme(self, key: ThreadKey, theme: ChatTheme, typed: str = "") -> None:
        """Share ``theme``; the thread is drawn in it once the server has it."""
        from chatui.core.themes import DEFAULT_THEME_NAME

        assert self.session is not None
        # The default theme is sent as a reset: "bob reset the theme to the default".
        wire = None if theme.name == DEFAULT_THEME_NAME else theme.to_wire()
        failure = ""
        try:
            await self.session.set_theme(key, wire)
        except BackendError as err:
            failure = f"Theme not changed: {one_line(str(err))}"
        if not self._shutting_down:
            self._restyle()  # the preview ends: the thread's shared theme, new or old
        if failure:
            self._not_done(key, failure, typed)

    # --- reactions and emoji ---------------------------------------------------------

    def _reaction_target(self) -> Message | None:
        """The selected message, else the newest one from someone else, else the newest."""
        session = self.session
        key = self.shown_key
        if session is None or key is None:
            return None
        selected = self.message_view.selected_message
        if selected is not None and not selected.pending and selected.kind != "setting":
            return selected
        me = session.me(key[0])
        candidates = [
            m for m in session.messages(key) if not m.pending and m.kind not in ("setting",)
        ]
        theirs = [m for m in candidates if m.sender != me]
        if theirs:
            return theirs[-1]
        return candidates[-1] if candidates else None

    def _quick_reaction(self) -> str:
        theme = self._open_thread_theme()
        if theme is not None and theme.quick_reactions:
            return theme.quick_reactions[0]
        return FALLBACK_QUICK_REACTION

    def action_quick_react(self) -> None:
        key = self.shown_key
        if key is None:
            return
        target = self._reaction_target()
        if target is None:
            self.notify("No message to react to yet.", severity="warning")
            return
        self._react(key, target.message_id, self._quick_reaction())

    def _recent(self) -> RecentEmoji:
        """The profile's recently used emoji (in memory only without a profile)."""
        if self._recent_emoji is None:
            from chatui.recent_emoji import RecentEmoji

            if self.profile is not None:
                self._recent_emoji = RecentEmoji.load(self.profile)
            else:
                self._recent_emoji = RecentEmoji(Path(os.devnull))
        return self._recent_emoji

    def _recent_emoji_items(self) -> list[str]:
        return list(self._recent().items)

    def _remember_emoji(self, emoji: str) -> None:
        recent = self._recent()
        recent.use(emoji, save=self.profile is not None)
        if not self.first_run:
            self.composer.recent_emoji = recent.items  # completion offers them first

    @on(Composer.EmojiUsed)
    def _emoji_typed(self, event: Composer.EmojiUsed) -> None:
        event.stop()
        self._remember_emoji(event.emoji)

    def _pick_emoji(self, then: Callable[[str], None]) -> None:
        """Open the emoji picker (recent first, then the thread theme's reaction set)."""
        from chatui.ui.screens.emoji_picker import EmojiPicker

        theme = self._open_thread_theme()
        first = list(theme.reactions) if theme is not None else []

        def picked(emoji: str | None) -> None:
            if emoji:
                self._remember_emoji(emoji)
                then(emoji)

        self.push_screen(
            EmojiPicker(recent=self._recent_emoji_items(), first=first), callback=picked
        )

    def action_react_picker(self) -> None:
        key = self.shown_key
        if key is None:
            return
        target = self._reaction_target()
        if target is None:
            self.notify("No message to react to yet.", severity="warning")
            return
        message_id = target.message_id
        self._pick_emoji(lambda emoji: self._react(key, message_id, emoji))

    def action_insert_emoji(self) -> None:
        if self.shown_key is None:
            return

        def insert(emoji: str) -> None:
            self.composer.focus()
            self.composer.insert_text_at_cursor(emoji)

        self._pick_emoji(insert)

    @work(group="reactions", exit_on_error=False)
    async def _react(self, key: ThreadKey, message_id: str, emoji: str, typed: str = "") -> None:
        assert self.session is not None
        try:
            await self.session.toggle_reaction(key, message_id, emoji)
        except BackendError as err:
            self._not_done(key, f"Reaction not sent: {one_line(str(err))}", typed)
            return
        self._remember_emoji(emoji)

    # --- help ------------------------------------------------------------------------

    def help_keys(self) -> list[tuple[str, str]]:
        """(keys, what they do) for the help screen, from the bindings in force."""
        keys: dict[str, list[str]] = {}
        for bindings in self._bindings.key_to_bindings.values():
            for binding in bindings:
                keys.setdefault(binding.action, []).append(self.get_key_display(binding))
        rows = [
            ("Enter", "open the selected conversation · send the message"),
            ("Tab", "move between the list, the conversation and the message box"),
            ("↑ ↓ Home End", "in the conversation: select a message (reactions go to it)"),
            (":name", "in the message box: emoji by name, e.g. :thumbsup: (Tab completes)"),
        ]
        for action, what in _HELP_KEYS:
            if action in keys:
                rows.append((" / ".join(dict.fromkeys(keys[action])), what))
        return rows

    def action_help(self) -> None:
        if isinstance(self.screen, _help_screen()):
            return
        self.push_screen(_help_screen()(self.help_keys()))


def _new_conversation_screen() -> type[NewConversationScreen]:
    """Imported on first use: the dialog's widgets are not needed for the first frame."""
    from chatui.ui.screens.new_conversation import NewConversationScreen

    return NewConversationScreen


def _help_screen() -> type[HelpScreen]:
    from chatui.ui.screens.help import HelpScreen

    return HelpScreen
