"""The chatui Textual application: the merged thread list, the open thread, the
composer and the status bar, wired to one :class:`~chatui.session.session.Session`.

Everything the app shows comes from the Session; the app only turns the
Session's change records into view refreshes and the user's keys into Session
calls. Network work runs in workers so that the first frame never waits for a
server, and a slow server never freezes typing.

Vanish mode, chat themes and reactions (issues 5 and 6) come in three ways each,
as people reach for them: a key shown in the footer, the command palette, and a
``/command`` typed in the composer (chatui.ui.slash_commands). Keys, all usable while
typing (none is taken by the composer's ``Input``): Ctrl+G vanish menu, Ctrl+T
chat theme, Ctrl+R quick reaction, Ctrl+Y react with any emoji, Ctrl+O insert an
emoji, F1 (or ``?`` outside the composer) help, Ctrl+Z suspend.

This module is the wiring: layout, session changes, opening threads, sending,
and the keys (every binding, in footer order, is here). Each feature's behaviour
is a mixin of its own, so that one feature can be read and changed alone:

- chatui.ui.app_seen: what the user has seen (vanish timers), leaving the chat;
- chatui.ui.app_vanish: changing the vanish mode;
- chatui.ui.app_themes: the theme catalog, the open thread's look, the picker;
- chatui.ui.app_reactions: reactions, the emoji picker, the recent emoji;
- chatui.ui.app_help: the help screen's key list.

Their state is set up in :meth:`ChatApp.__init__`, and their ``@on`` message
handlers are declared here: Textual registers ``@on`` handlers only from classes
built by its own metaclass, which plain mixins are not (tests/ui/test_app_layers.py).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import Iterable
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

from chatui.core.models import AccountConfig, Thread, ThreadKey
from chatui.session.session import (
    AccountStateChanged,
    Change,
    HistoryRefetched,
    InboxChanged,
    MessagesChanged,
    SendFailed,
    Session,
)
from chatui.ui.app_help import HelpActions
from chatui.ui.app_reactions import ReactionActions
from chatui.ui.app_seen import SeenTracking
from chatui.ui.app_themes import ThemeActions
from chatui.ui.app_vanish import VanishActions
from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.message_view import MessageView
from chatui.ui.widgets.status import KeyBar, StatusBar, ThreadHeader, one_line
from chatui.ui.widgets.thread_list import ThreadListView

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from chatui.core.contrast import ColorDepth
    from chatui.core.themes import ThemeCatalog
    from chatui.profile.folders import Profile
    from chatui.profile.recent_emoji import RecentEmoji
    from chatui.ui.palette import ChatCommandsProvider, ConversationsProvider
    from chatui.ui.screens.new_conversation import NewConversation, NewConversationScreen


def _conversations_provider() -> type[ConversationsProvider]:
    """Imported when the palette first opens: not needed for the first frame."""
    from chatui.ui.palette import ConversationsProvider

    return ConversationsProvider


def _chat_commands_provider() -> type[ChatCommandsProvider]:
    """The open conversation's commands (vanish, theme, reactions, help)."""
    from chatui.ui.palette import ChatCommandsProvider

    return ChatCommandsProvider


_THREAD_ACTIONS = frozenset(
    {"vanish_menu", "theme_picker", "quick_react", "react_picker", "insert_emoji"}
)


class ChatApp(
    SeenTracking,
    VanishActions,
    ThemeActions,
    ReactionActions,
    HelpActions,
    App[str | None],
):
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
        environ = os.environ
        if environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
            # No color at all, not Textual's grays (chatui.ui.no_color); imported
            # only then, so a colored start pays nothing for it.
            from chatui.ui.no_color import go_colorless

            go_colorless(self)
        elif self.no_color:
            # NO_COLOR set but empty: colors stay (Textual would paint grays).
            from chatui.ui.no_color import keep_colors

            keep_colors(self)
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
        # The features' state (their mixins: see the module docstring).
        self._in_view: tuple[ThreadKey, tuple[str, ...]] | None = None
        """The messages the view last reported drawn (see chatui.ui.app_seen)."""
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
        self.status_bar.update_states(self._accounts(), session.states, session.stuck_sends())
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
        if not self._drawing:
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

    @property
    def _drawing(self) -> bool:
        """Whether the views are there to draw on.

        Not while quitting (``exit`` sets the flag first), and not once the screens
        are gone: a shutdown that does not pass through ``exit`` (a test harness, a
        closed terminal) removes them before ``on_unmount`` sets the flag, and a
        session change arriving in between must not touch what is gone.
        """
        if self._shutting_down:
            return False
        try:
            return bool(self.screen_stack)
        except KeyError:  # the mode's stack itself is gone
            return False

    def _on_session_change(self, change: Change) -> None:
        """Called by the Session on this same asyncio loop, possibly in bursts."""
        if not self._drawing:
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
                    self.status_bar.update_states(
                        self._accounts(), self.session.states, self.session.stuck_sends()
                    )
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
        if not self._drawing or self.session is None:
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
        if self.focused is self.thread_list:
            # Nothing opened (the thread went away meanwhile): keys are the list's again.
            self.thread_list.end_typing_ahead()

    @on(ThreadListView.TypedAhead)
    def _typed_ahead(self, event: ThreadListView.TypedAhead) -> None:
        event.stop()
        if self.shown_key is None:
            return
        self.composer.value += event.text
        self.composer.cursor_position = len(self.composer.value)

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
            typed = self.thread_list.take_typed_ahead()
            if typed:
                self.composer.value += typed
                self.composer.cursor_position = len(self.composer.value)
            # At once, not through focus() (which queues the move behind the keys
            # already waiting): letters typed from here on go to the composer.
            self.composer.screen.set_focus(self.composer)
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
        """Carry out what was typed before Enter.

        The composer has already emptied itself (keys typed after Enter, even in the
        same burst, are the next message's): ``event.text`` is the whole of this one,
        and whatever is not carried out goes back into the composer.
        """
        event.stop()
        # Imported on the first send: the parser's classes are not needed for the
        # first frame (bench/startup.py).
        from chatui.ui import slash_commands as commands

        typed = event.text
        command = commands.parse(typed)
        if isinstance(command, commands.Invalid):
            # Not carried out and not sent: the text goes back to the composer to fix.
            self.composer.put_back(typed)
            self.notify(command.message, title="Not sent", severity="warning", markup=False)
            return
        if isinstance(command, commands.ShowHelp):
            self.action_help()
            return
        key = self.shown_key
        if key is None:
            self.composer.put_back(typed)
            self.notify("Open a conversation first (Enter on the list).", severity="warning")
            return
        match command:
            case commands.SendText(text=text):
                self.message_view.scroll_to_latest()
                self._send(key, text)
            case commands.SetVanish(setting=setting):
                self.request_vanish(setting, typed=typed)
            case commands.OpenVanishMenu():
                self.action_vanish_menu()
            case commands.SetTheme(name=name):
                self._theme_by_name(key, name, typed)
            case commands.OpenThemePicker():
                self.action_theme_picker()
            case commands.React(emoji=emoji):
                target = self._reaction_target_or_explain()
                if target is None:
                    self.composer.put_back(typed)
                    return
                self._react(key, target.message_id, emoji, typed=typed)
            case commands.OpenReactionPicker():
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

    def _not_done(self, key: ThreadKey, message: str, typed: str = "") -> None:
        """Tell the user a command failed; what they typed goes back to the composer."""
        if not self._drawing:
            return
        self.notify(message, title="Not done", severity="error", markup=False)
        if typed:
            self._keep_unsent(key, typed)

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

    # --- the features' message handlers (see the module docstring) -------------------

    @on(MessageView.Shown)
    def _messages_shown(self, event: MessageView.Shown) -> None:
        """These messages' lines were drawn: they may start vanish timers (app_seen)."""
        event.stop()
        self._messages_drawn(event.key, event.message_ids)

    @on(Composer.EmojiUsed)
    def _emoji_typed(self, event: Composer.EmojiUsed) -> None:
        event.stop()
        self._remember_emoji(event.emoji)


def _new_conversation_screen() -> type[NewConversationScreen]:
    """Imported on first use: the dialog's widgets are not needed for the first frame."""
    from chatui.ui.screens.new_conversation import NewConversationScreen

    return NewConversationScreen
