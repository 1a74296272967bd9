"""The main window: the merged thread list, the open conversation, the composer and
the two bars, wired to one :class:`~chatui.session.session.Session`.

Everything shown comes from the Session; this screen only turns the Session's
change records into view refreshes and the user's keys into Session calls.
Network work runs in workers, so that the first frame never waits for a server
and a slow server never freezes typing.

The screen owns the main keys (read from chatui.ui.actions, the one table of
actions) and every handler of its widgets' messages. Screen bindings are inactive
while a dialog is on top, so no action has to check which screen is showing. The
features' state and rules are plain objects (chatui.ui.controllers): what has
been seen, the drafts, the thread's look, the reaction target and recent emoji.
Dialogs are imported on first use: none is needed for the first frame
(bench/startup.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.timer import Timer

from chatui.backends.base import BackendError
from chatui.core.mentions import handles as mention_handles
from chatui.core.models import (
    MAX_BODY_BYTES,
    AccountConfig,
    Message,
    Thread,
    ThreadKey,
    VanishSetting,
)
from chatui.core.sanitize import one_line
from chatui.session.session import (
    AccountsChanged,
    AccountStateChanged,
    Change,
    HistoryRefetched,
    InboxChanged,
    MessagesChanged,
    SeenChanged,
    SendFailed,
    Session,
    TypingUpdated,
)
from chatui.ui.actions import ACTIONS, UserAction, screen_bindings
from chatui.ui.controllers.drafts import Drafts
from chatui.ui.controllers.looks import ThreadLooks
from chatui.ui.controllers.message_actions import (
    NOT_YOURS_EDIT,
    NOT_YOURS_UNSEND,
    ComposeMode,
    Editing,
    Replying,
    others_target,
    own_target,
)
from chatui.ui.controllers.reactions import EmojiMemory, reaction_target
from chatui.ui.controllers.seen import SeenReporter
from chatui.ui.controllers.unread import UnreadAtOpen
from chatui.ui.widgets.composer_context import EDIT_WORDS, ComposerContext, reply_words
from chatui.ui.widgets.message_blocks import Quoted
from chatui.ui.widgets.message_view import MessageView
from chatui.ui.widgets.status import KeyBar, StatusBar, ThreadHeader
from chatui.ui.widgets.thread_list import ThreadListView

if TYPE_CHECKING:
    from textual.widgets import TextArea

    from chatui.core.themes import ChatTheme
    from chatui.profile.folders import Profile
    from chatui.ui.app import ChatApp
    from chatui.ui.controllers.reacted import ReactionNames
    from chatui.ui.screens.new_conversation import NewConversation
    from chatui.ui.screens.who_reacted import WhoReacted
    from chatui.ui.widgets.composer import Composer

log = logging.getLogger(__name__)

_THREAD_ACTIONS = frozenset(a.action for a in ACTIONS if a.where == "thread")
"""Actions for the open conversation (the actions table says which)."""
_MESSAGE_ACTIONS = frozenset(a.action for a in ACTIONS if a.where == "messages")
_ON_A_MESSAGE = frozenset({"reply", "edit_message", "unsend_message", "copy_message"})
"""Message actions that take the selected message (or the newest one that fits)."""
"""Actions on a message, with the conversation focused: the selected one (who
reacted) or a refused one (retry, discard)."""


class MainScreen(Screen[None]):
    """Every linked account's conversations, merged, and the open one."""

    BINDINGS: ClassVar[list[BindingType]] = screen_bindings()
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [(0, "-narrow"), (70, "-wide")]
    """Under 70 columns the thread list yields width to the conversation (app.tcss)."""

    def __init__(self, session: Session, profile: Profile | None) -> None:
        # An id of our own, so that app.tcss lays out this screen and no other.
        super().__init__(id="main")
        self.session = session
        self.profile = profile
        self.shown_key: ThreadKey | None = None
        """The thread on the right (stays there after Esc; see :meth:`open_thread`)."""
        # The widgets exist from the screen's start, so that code may address them at
        # any time (a session change during shutdown, when the DOM is going, too);
        # the conversation pane's are mounted after the first frame
        # (_mount_conversation).
        self._thread_list = ThreadListView(id="threads")
        self._status_bar = StatusBar(id="status")
        self._thread_header = ThreadHeader(id="thread-header")
        self._message_view = MessageView(id="messages")
        self._composer: Composer | None = None  # made on first use (composer)
        self._composer_context = ComposerContext(id="composer-context")
        self._mode: ComposeMode = None
        """Replying to a message, editing one of ours, or None (a new message)."""
        self._quiet_text: str | None = None
        """Text the app itself put in the composer (a draft, a message to edit): its
        change is not the user typing, so no typing notice goes out for it."""
        self.drafts = Drafts(session.store)
        self.seen = SeenReporter(session.messages_seen)
        self.looks = ThreadLooks(profile, os.environ)
        self.emoji = EmojiMemory(profile)
        self._draft_timer: Timer | None = None
        self._older_exhausted: set[ThreadKey] = set()
        self._loading_older: set[ThreadKey] = set()
        self._send_lock = asyncio.Lock()
        self._inbox_dirty = False
        self._who_reacted: WhoReacted | None = None
        """The "who reacted" dialog while it is open: it follows changes live."""
        self._unread_at_open: UnreadAtOpen | None = None
        """The open thread's unread count as it opened, until its rule is placed."""

    # --- the app and the widgets -------------------------------------------------------

    @property
    def chat_app(self) -> ChatApp:
        return self.app  # type: ignore[return-value]

    @property
    def thread_list(self) -> ThreadListView:
        return self._thread_list

    @property
    def status_bar(self) -> StatusBar:
        return self._status_bar

    @property
    def thread_header(self) -> ThreadHeader:
        return self._thread_header

    @property
    def message_view(self) -> MessageView:
        return self._message_view

    @property
    def composer(self) -> Composer:
        """The message box, made on first use: it is a TextArea, whose module and
        document model (~25 ms to import) the first frame, which shows no
        conversation, does without (bench/startup.py). Its messages reach this
        screen by their handler names, so that this module needs no import of it."""
        if self._composer is None:
            from chatui.ui.widgets.composer import Composer

            self._composer = Composer(id="composer")
        return self._composer

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The screen itself lays the list and the conversation side by side, and the
        # two bars are docked under them (app.tcss): one container fewer to mount,
        # style and paint before the first frame.
        yield self.thread_list
        yield Vertical(id="conversation")  # filled right after the first frame
        yield self.status_bar
        yield KeyBar()

    def on_mount(self) -> None:
        session = self.session
        # The store first: everything cached is in the first frame, before any server
        # answers (or with every server down).
        session.load_cached()
        self.drafts.load()
        thread_list = self.thread_list
        thread_list.set_source(session.inbox, session.me, self._accounts())
        self.show_status()
        thread_list.focus()
        session.add_listener(self._on_session_change)
        # The view shows each message's remaining time from the Session's timers.
        self.message_view.deadline_of = lambda m: session.expires_at(m.thread_key, m.message_id)
        # And what a reply answers when the view has not loaded it (deleted, vanished).
        self.message_view.quote_of = self._quote_of
        app = self.app
        app.screen_change_signal.subscribe(self, self._screen_changed)
        app.app_suspend_signal.subscribe(self, self._suspended)
        app.app_resume_signal.subscribe(self, self._resumed)
        # No conversation is open at start, so the first frame is the list alone;
        # the conversation pane's widgets (a third of the first frame's cost) are
        # mounted right after it (bench/startup.py, docs/performance.md).
        self.call_after_refresh(self._mount_conversation)
        # Started after the first frame is drawn: the first frame must not wait for
        # any server, nor for setting up HTTP clients (bench/startup.py measures it).
        self.call_after_refresh(self._begin_session)

    def _mount_conversation(self) -> None:
        if not self.drawing:
            return
        pane = self.query_one("#conversation", Vertical)
        # mount() adds them to the DOM at once (queries and calls work from here on);
        # their own on_mount runs on their next turn.
        # Nothing can be written before a conversation is open: the box takes no
        # keys (and no focus) until one is (open_thread).
        self.composer.set_ready(self.shown_key is not None)
        pane.mount(self.thread_header, self.message_view, self._composer_context, self.composer)
        self.thread_header.show(None, None, "")

    def bind_user_keys(self, action: UserAction, keys: str) -> None:
        """Give ``action`` (one with no default key) the user's ``keys``."""
        self._bindings.bind(keys, action.action, action.label, show=False, priority=action.priority)
        self.refresh_bindings()

    def _accounts(self) -> dict[str, AccountConfig]:
        return {account_id: linked.config for account_id, linked in self.session.linked.items()}

    def _begin_session(self) -> None:
        if not self.drawing:
            return
        self.run_worker(self.session.start(), name="session-start", exit_on_error=False)
        # After the first frame too: the theme files, the settings and the user's
        # keys are not needed for it.
        for problem in self.looks.load(self.chat_app.display_settings):
            self.notify(
                problem.message, title=problem.title, severity="warning", timeout=10, markup=False
            )
        if self.looks.shortcodes:
            self.message_view.shortcodes = True
        self.composer.recent_emoji = self.emoji.items
        app = self.chat_app
        app.apply_user_keys()
        self.show_status()  # "log in again" names the key in force
        retry, discard = app.keys_of("retry_failed"), app.keys_of("discard_failed")
        if retry and discard:  # a refused message names the keys in force
            self.message_view.failed_hint = f"{retry[0]} retry · {discard[0]} discard"
        jump = app.keys_of("jump_to_newest")
        self.message_view.jump_hint = jump[0] if jump else ""

    @property
    def drawing(self) -> bool:
        """Whether the views are there to draw on.

        Not while quitting (the app's ``exit`` says so first), and not once the
        screens are gone: a shutdown that does not pass through ``exit`` (a test
        harness, a closed terminal) removes them first, and a session change
        arriving in between must not touch what is gone.
        """
        try:
            app = self.chat_app
            return not app.shutting_down and bool(app.screen_stack)
        except Exception:  # no active app, or the mode's stack itself is gone
            return False

    def leave(self) -> None:
        """The app is quitting: keep every draft, and close the open chat ("vanish"
        messages seen in it go)."""
        open_drafts = {self.shown_key: self.composer.value} if self.shown_key else {}
        self.drafts.save_all(open_drafts)
        self.session.close_thread()

    # --- drafts -----------------------------------------------------------------------

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area is not self._composer:
            return
        self._tell_typing()
        # Kept across restarts (and crashes): stored a moment after typing pauses,
        # not on every key.
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(0.5, self._store_draft)

    def _tell_typing(self) -> None:
        """The other members see "alice is typing" while there is text being written
        (the Session throttles the notices and honours ``send_typing``)."""
        key = self.shown_key
        if key is None or isinstance(self._mode, Editing):
            return
        text = self.composer.value
        if text == self._quiet_text:
            self._quiet_text = None
            return
        self.session.typing(key, bool(text.strip()))

    def _set_composer_quietly(self, text: str) -> None:
        self._quiet_text = text if text != self.composer.value else None
        self.composer.value = text

    def _store_draft(self) -> None:
        self._draft_timer = None
        if self.drawing and self.shown_key is not None:
            self.drafts.store(self.shown_key, self.composer.value)

    # --- session changes -> views -----------------------------------------------------

    def _on_session_change(self, change: Change) -> None:
        """Called by the Session on this same asyncio loop, possibly in bursts."""
        if not self.drawing:
            return
        match change:
            case InboxChanged():
                # A burst of events is drawn once: mark dirty, flush on the next turn.
                if not self._inbox_dirty:
                    self._inbox_dirty = True
                    self.call_next(self.flush_inbox)
            case MessagesChanged(key=key):
                if key == self.shown_key:
                    self.message_view.update_messages(self.session.messages(key))
                    self._place_unread_rule(final=False)
                    self._show_seen()  # loaded or sent messages may move "seen"
                    self.refresh_bindings()  # a failed message may have come or gone
                    if self._who_reacted is not None:
                        self._who_reacted.reload()  # a reaction came or went
                if self.status_bar.refused != self.session.refused_sends():
                    self.show_status()  # a refused message was retried or discarded
            case TypingUpdated(key=key):
                names = self.session.typing_in(key)
                self.thread_list.set_typing(key, names)
                if key == self.shown_key:
                    self.thread_header.set_typing(names)
            case SeenChanged(key=key):
                if key == self.shown_key:
                    self._show_seen()
            case AccountStateChanged():
                self.show_status()
                # "Reconnect" shows while an account waits, "Log in" while one is refused.
                self.refresh_bindings()
            case AccountsChanged():
                # An account linked while running: its threads need its label.
                self.thread_list.set_source(self.session.inbox, self.session.me, self._accounts())
                self.show_status()
            case SendFailed():
                # It needs the user (retry or discard), so it is said where it stays
                # until then: the status area, the thread list's preview and the
                # message's own mark. A toast would cover the composer and go.
                self.show_status()
            case HistoryRefetched(account_id=account_id, reason=reason):
                # Plain text (markup=False): the reason is the server's words.
                name = account_id
                if account_id in self.session.linked:
                    label = self.session.account(account_id).label
                    name = label if len(label) > 1 else account_id
                self.notify(
                    f"{one_line(name)}: history was refetched — the server no longer knew"
                    f" where we left off ({one_line(reason)})",
                    title="History refetched",
                    severity="warning",
                    markup=False,
                )

    def show_status(self) -> None:
        """The status area as the session has it now: connections, held-up and
        refused sends."""
        session = self.session
        keys = self.chat_app.keys_of("log_in_again")
        self.status_bar.update_states(
            self._accounts(),
            session.states,
            session.stuck_sends(),
            session.retry_at,
            session.refused_sends(),
            signed_out=session.signed_out(),
            login_key=keys[0] if keys else "",
        )

    def flush_inbox(self) -> None:
        """Draw the list's changes now (a burst of changes is drawn once)."""
        self._inbox_dirty = False
        if not self.drawing:
            return
        self.thread_list.refresh_threads()
        self._refresh_header()
        thread = self._open_thread()
        if thread is not None:
            self._offer_members(thread)  # someone joined, or a display name came
        # The shared settings may have changed (someone else set vanish or a theme).
        self._sync_thread_look()
        if self._who_reacted is not None:
            self._who_reacted.reload()  # a member's display name may have come

    def _offer_members(self, thread: Thread) -> None:
        """What ``@`` + letters completes to in the open thread: the other members
        by their display names where the network has them (Matrix), which is how
        the message then calls them (chatui.core.mentions.handles)."""
        me = self.session.me(thread.account_id)
        others = [m for m in thread.members if m != me]
        self.composer.members = mention_handles(others, thread.member_names)

    def _show_seen(self) -> None:
        """ "seen" under the open thread's last message of ours the other person has
        read (one-to-one threads only: the Session says None elsewhere)."""
        key = self.shown_key
        self.message_view.mark_seen(self.session.seen_up_to(key) if key is not None else None)

    def _quote_of(self, message: Message) -> Quoted | None:
        """What ``message`` answers, as the Session holds it (the view asks only when
        it has not loaded that message)."""
        if not message.reply_to:
            return None
        quote = self.session.quoted(message.thread_key, message.reply_to)
        return Quoted(quote.state, quote.message)

    def _refresh_header(self) -> None:
        if self.shown_key is None:
            self.thread_header.show(None, None, "")
            return
        thread = self.session.inbox.get(self.shown_key)
        account_id = self.shown_key[0]
        self.thread_header.show(
            thread, self.session.account(account_id), self.session.me(account_id)
        )

    # --- what the user has seen (vanish timers) ---------------------------------------

    def thread_visible(self) -> bool:
        """Is the open thread on screen for the user to read (chatui.ui.controllers.seen)?

        The main screen on top, or a dialog that leaves the thread in view
        (``THREAD_VISIBLE``: the theme picker's side panel). A terminal in the
        background (app blur) still counts: its window is usually still in sight.
        """
        if self.shown_key is None or not self.drawing:
            return False
        top = self.app.screen
        return top is self or bool(getattr(top, "THREAD_VISIBLE", False))

    @on(MessageView.Shown)
    def _messages_shown(self, event: MessageView.Shown) -> None:
        event.stop()
        self.seen.drawn(
            event.key, event.message_ids, shown=self.shown_key, visible=self.thread_visible()
        )

    def _pass_on_seen(self) -> None:
        self.seen.pass_on(shown=self.shown_key, visible=self.thread_visible())

    def _screen_changed(self, screen: Screen) -> None:
        self._pass_on_seen()  # a dialog closed: what it held back counts now

    def _suspended(self, app: App) -> None:
        # Ctrl+Z is leaving the chat, as quitting is (app blur is not).
        self.session.close_thread()

    def _resumed(self, app: App) -> None:
        # The machine may have slept (the monotonic clock stops meanwhile): whatever
        # is due by the wall clock goes now, before it is drawn again.
        self.session.check_vanish()
        if self.shown_key is not None and self.drawing:
            self._load_thread(self.shown_key)  # open again: reads and timers count anew

    # --- opening threads --------------------------------------------------------------

    @on(ThreadListView.Opened)
    def _list_opened(self, event: ThreadListView.Opened) -> None:
        event.stop()
        self._open_or_answer(event.key)
        thread_list = self.thread_list
        if self.focused is thread_list:
            # Nothing opened (the thread went away meanwhile): keys are the list's again.
            thread_list.end_typing_ahead()

    @on(ThreadListView.TypedAhead)
    def _typed_ahead(self, event: ThreadListView.TypedAhead) -> None:
        event.stop()
        if self.shown_key is None:
            return
        self.composer.value += event.text  # the cursor goes to the end

    def jump_to(self, key: ThreadKey) -> None:
        """Select ``key`` in the list and open it (the command palette's action)."""
        if key not in self.session.inbox:
            return
        if self._inbox_dirty:
            self.flush_inbox()  # a thread that just arrived: its row must exist first
        self.thread_list.select_key(key)
        self._open_or_answer(key)

    def _open_or_answer(self, key: ThreadKey) -> None:
        """Open a conversation, or first ask about it if it is still an invitation."""
        session = self.session
        thread = session.inbox.get(key)
        if thread is None:
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

        # After the list has drawn the invitation selected: a screen under a dialog
        # is not painted again until the dialog closes.
        screen = InviteScreen(thread, session.account(key[0]), answer)
        self.call_after_refresh(self.app.push_screen, screen, answered)

    def open_thread(self, key: ThreadKey, *, focus_composer: bool = False) -> None:
        """Show ``key`` on the right at once, then load it in the background.

        The thread stays open (and so counts as read) until another one is opened;
        Esc only moves the focus back to the list.
        """
        session = self.session
        thread = session.inbox.get(key)
        if thread is None:
            return
        if self.shown_key != key:
            self.cancel_mode()  # an edit gives its draft back first
            if self.shown_key is not None:
                self.drafts.leave(self.shown_key, self.composer.value)
                session.close_thread()
            self._set_composer_quietly(self.drafts.take(key))
            self.composer.set_ready(True)
            self.shown_key = key
            me = session.me(key[0])
            self._offer_members(thread)
            # Taken before the Session opens the thread: opening zeroes the count.
            self._unread_at_open = UnreadAtOpen.of(thread, me)
            self.message_view.show(
                key,
                session.messages(key),
                me,
                title=thread.display_title(me),
                loading=not session.is_loaded(key),
            )
            self._place_unread_rule(final=False)
            self._show_seen()
            self._refresh_header()
            self.thread_header.set_typing(session.typing_in(key))
            self.seen.forget()
            self._sync_thread_look()
        if focus_composer:
            typed = self.thread_list.take_typed_ahead()
            if typed:
                self.composer.value += typed  # the cursor goes to the end
            # At once, not through focus() (which queues the move behind the keys
            # already waiting): letters typed from here on go to the composer.
            self.set_focus(self.composer)
        self._load_thread(key)

    @work(exclusive=True, group="open-thread", exit_on_error=False)
    async def _load_thread(self, key: ThreadKey) -> None:
        await self.session.open_thread(key)
        self._pass_on_seen()  # what was drawn before the Session had it open
        if key == self.shown_key and self.drawing:
            self._place_unread_rule(final=True)  # the newest page is in, or is not coming

    def _place_unread_rule(self, *, final: bool) -> None:
        """Draw "new messages" above the open thread's first unread message, once the
        loaded messages tell which it is (chatui.ui.controllers.unread)."""
        mark = self._unread_at_open
        if mark is None or mark.key != self.shown_key:
            return
        found = mark.first_unread(self.session.messages(mark.key), final=final)
        if found is None and not final:
            return  # the newest page is still on its way
        self._unread_at_open = None
        if found is not None:
            self.message_view.mark_first_unread(found)

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
        try:
            if not await self.session.load_older(key):
                # History never grows backwards: stop asking once the start is reached.
                self._older_exhausted.add(key)
        finally:
            self._loading_older.discard(key)

    # --- sending ----------------------------------------------------------------------

    def on_composer_send(self, event: Composer.Send) -> None:
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
                size = len(text.encode("utf-8", "surrogatepass"))
                if size > MAX_BODY_BYTES:
                    # Refused here, before the outbox: no server would take it.
                    self.composer.put_back(typed)
                    self.notify(
                        f"Not sent: the message is {size:,} bytes; the limit is {MAX_BODY_BYTES:,}"
                        " (UTF-8). It stays in the box: shorten it or send it in parts.",
                        title="Message not sent",
                        severity="error",
                        markup=False,
                    )
                    return
                mode = self._mode
                if isinstance(mode, Editing):
                    self._finish_mode()
                    self._edit(key, mode.message_id, text)
                    return
                reply_to = mode.message_id if isinstance(mode, Replying) else None
                self._finish_mode()
                self.message_view.scroll_to_latest()
                self._send(key, text, reply_to)
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
    async def _send(self, key: ThreadKey, text: str, reply_to: str | None = None) -> None:
        # One at a time, in the order typed: concurrent sends could be reordered.
        async with self._send_lock:
            sent = await self.session.send(key, text, reply_to=reply_to)
        if sent is None and self.drawing:
            self._keep_unsent(key, text)

    def _keep_unsent(self, key: ThreadKey, text: str) -> None:
        """Nothing typed is lost: unsent text goes back where it was written."""
        if key == self.shown_key:
            self.composer.put_back(text)
        else:
            self.drafts.keep_unsent(key, text)

    def _not_done(self, key: ThreadKey, message: str, typed: str = "") -> None:
        """Tell the user a command failed; what they typed goes back to the composer."""
        if not self.drawing:
            return
        self.notify(message, title="Not done", severity="error", markup=False)
        if typed:
            self._keep_unsent(key, typed)

    # --- actions ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Screen bindings are inactive under a dialog: no screen checks needed here.
        if action in _THREAD_ACTIONS:
            return self.shown_key is not None
        if action in _MESSAGE_ACTIONS:
            if self.shown_key is None or self.focused is not self.message_view:
                return False
            if action == "who_reacted":
                return self.message_view.selected_message is not None
            if action == "open_link":
                selected = self.message_view.selected_message
                return selected is not None and bool(self.message_view.links_of(selected))
            if action in _ON_A_MESSAGE:
                return True  # the action says so when there is nothing to act on
            return self.session.failed_message(self.shown_key) is not None
        if action == "back_to_list":
            return self.focused is not self.thread_list
        if action == "retry_now":
            return bool(self.session.retry_at)  # shown only while an account waits
        if action == "log_in_again":
            return bool(self.session.signed_out())  # only while the server refuses one
        return True

    def action_retry_now(self) -> None:
        self.session.retry_now()

    def action_log_in_again(self) -> None:
        self.chat_app.log_in_again()

    def action_add_account(self) -> None:
        self.chat_app.add_account()

    def action_retry_failed(self) -> None:
        if self.shown_key is not None:
            self.session.retry_failed(self.shown_key)

    def action_discard_failed(self) -> None:
        if self.shown_key is None:
            return
        if self.session.discard_failed(self.shown_key) is not None:
            self.notify("Discarded the message that could not be sent.", markup=False)

    def action_open_link(self) -> None:
        """The selected message's web link, in the browser: the first, if it has
        several (the toast says how many there are)."""
        selected = self.message_view.selected_message
        if selected is None:
            return
        links = self.message_view.links_of(selected)
        if not links:
            self.notify("No web link in this message.", markup=False)
            return
        url = links[0].url
        more = f" (the first of {len(links)} links)" if len(links) > 1 else ""
        self.notify(f"Opening {url}{more}", title="Open link", markup=False)
        self.chat_app.open_url(url)

    def action_jump_to_newest(self) -> None:
        self.message_view.scroll_to_latest()

    def action_back_to_list(self) -> None:
        # Esc first leaves reply or edit mode; the next Esc goes back to the list.
        if self._mode is not None:
            self.cancel_mode()
            return
        self.thread_list.focus()

    def action_help(self) -> None:
        from chatui.ui.screens.help import HelpScreen

        app = self.chat_app
        if isinstance(app.screen, HelpScreen):
            return
        keys = app.help_keys()
        # What a Matrix server keeps of an expired message is said where it applies.
        matrix = any(linked.config.kind == "matrix" for linked in self.session.linked.values())
        app.push_screen(HelpScreen(keys, matrix=matrix))

    def action_new_conversation(self) -> None:
        from chatui.ui.screens.new_conversation import NewConversationScreen

        accounts = [linked.config for linked in self.session.linked.values()]
        # Default to the account of the thread under the cursor: the likely intent.
        cursor = self.thread_list.cursor_key
        default = cursor[0] if cursor else None
        self.app.push_screen(
            NewConversationScreen(
                accounts, self._create_thread, account_id=default, people=self._people()
            ),
            self._conversation_created,
        )

    def _people(self) -> dict[str, list[str]]:
        """Account id -> the people in its conversations, most recent first."""
        people: dict[str, dict[str, None]] = {}
        for thread in self.session.inbox.threads():  # newest activity first
            me = self.session.me(thread.account_id).casefold()
            names = people.setdefault(thread.account_id, {})
            for member in thread.members:
                if member.casefold() != me:
                    names.setdefault(member, None)
        return {account_id: list(names) for account_id, names in people.items()}

    def _direct_chat(self, request: NewConversation) -> Thread | None:
        """The conversation of just the user and the one person asked for, if there is
        one already on that account: Ctrl+N with them opens it, not a second one."""
        if len(request.members) != 1 or request.title:
            return None
        me = self.session.me(request.account_id).casefold()
        wanted = {me, request.members[0].casefold()}
        for thread in self.session.inbox.threads():
            if (
                thread.account_id == request.account_id
                and thread.membership == "join"
                and not thread.title
                and {m.casefold() for m in thread.members} == wanted
            ):
                return thread
        return None

    async def _create_thread(self, request: NewConversation) -> Thread:
        existing = self._direct_chat(request)
        if existing is not None:
            return existing
        return await self.session.create_thread(
            request.account_id, list(request.members), request.title
        )

    def _conversation_created(self, thread: Thread | None) -> None:
        if thread is None:
            return
        self.jump_to(thread.key)

    # --- vanish mode ------------------------------------------------------------------

    def action_vanish_menu(self) -> None:
        key = self.shown_key
        thread = self.session.inbox.get(key) if key is not None else None
        if key is None or thread is None:
            return
        from chatui.ui.screens.vanish_menu import VanishMenu

        title = one_line(thread.display_title(self.session.me(key[0])), 60)

        def chosen(setting: VanishSetting | None) -> None:
            if setting is not None and self.shown_key == key:
                self.request_vanish(setting)

        self.app.push_screen(VanishMenu(thread.vanish, title=title), chosen)

    def action_vanish_on(self) -> None:
        self.request_vanish(VanishSetting(mode="vanish"))

    def action_vanish_off(self) -> None:
        self.request_vanish(VanishSetting())

    def request_vanish(self, setting: VanishSetting, *, typed: str = "") -> None:
        """Set the open thread's vanish mode (shared); ``typed`` returns on failure."""
        if self.shown_key is not None:
            self._set_vanish(self.shown_key, setting, typed)

    @work(group="settings", exit_on_error=False)
    async def _set_vanish(self, key: ThreadKey, setting: VanishSetting, typed: str) -> None:
        try:
            await self.session.set_vanish(key, setting)
        except BackendError as err:
            self._not_done(key, f"Vanish mode not changed: {one_line(str(err))}", typed)
        # Done: no toast. The header states the setting and the conversation has
        # its notice; a third and fourth saying of it only covered the composer
        # (issue 12, item 15).

    # --- chat themes ------------------------------------------------------------------

    def _open_thread(self) -> Thread | None:
        return self.session.inbox.get(self.shown_key) if self.shown_key is not None else None

    def _sync_thread_look(self) -> None:
        """The open thread's shared settings -> the message view (vanish, theme)."""
        thread = self._open_thread()
        if thread is None:
            return
        self.message_view.vanish = thread.vanish  # unchanged: nothing is redrawn
        if getattr(self.app.screen, "previews_chat_theme", False):
            return  # the picker's preview is on; its end restyles (see _restyle)
        styles = self.looks.restyle_for(thread)
        if styles is not None:
            self.message_view.chat_styles = styles

    def _restyle(self) -> None:
        """Draw the open thread in its shared theme again (after a preview)."""
        self.looks.forget_styled()
        self._sync_thread_look()

    def action_theme_picker(self) -> None:
        key = self.shown_key
        thread = self._open_thread()
        catalog = self.looks.catalog
        if key is None or thread is None:
            return
        if catalog is None or not catalog.themes:
            self.notify("No chat themes could be read.", severity="warning")
            return
        from chatui.ui.screens.theme_picker import PANEL_WIDTH, ThemePicker

        view = self.message_view
        current = self.looks.theme_of(thread)

        def preview(theme: ChatTheme) -> None:
            styles = self.looks.styles_for(theme)
            if styles is not None and self.shown_key == key:
                view.chat_styles = styles

        def chosen(theme: ChatTheme | None) -> None:
            self.thread_list.styles.width = None  # its own width again
            if theme is None or self.shown_key != key:
                self._restyle()  # Esc: the thread's own theme again
                return
            self._set_theme(key, theme)

        picker = ThemePicker(
            list(catalog.themes.values()), current.name if current is not None else None, preview
        )
        # The panel covers the thread list: the list takes the panel's width
        # meanwhile, so the conversation beside it stays in view whole.
        self.thread_list.styles.width = PANEL_WIDTH
        self.app.push_screen(picker, chosen)

    def _theme_by_name(self, key: ThreadKey, name: str | None, typed: str) -> None:
        """``/theme NAME``; ``typed`` goes back to the composer if no theme is set."""
        found = self.looks.find(name)
        if isinstance(found, str):
            self.notify(found, title="Not done", severity="warning", markup=False)
            self.composer.put_back(typed)  # to fix the name
            return
        self._set_theme(key, found, typed)

    @work(group="settings", exit_on_error=False)
    async def _set_theme(self, key: ThreadKey, theme: ChatTheme, typed: str = "") -> None:
        """Share ``theme``; the thread is drawn in it once the server has it."""
        from chatui.core.themes import DEFAULT_THEME_NAME

        # The default theme is sent as a reset: "bob reset the theme to the default".
        wire = None if theme.name == DEFAULT_THEME_NAME else theme.to_wire()
        failure = ""
        try:
            await self.session.set_theme(key, wire)
        except BackendError as err:
            failure = f"Theme not changed: {one_line(str(err))}"
        if self.drawing:
            self._restyle()  # the preview ends: the thread's shared theme, new or old
        if failure:
            self._not_done(key, failure, typed)

    # --- reactions and emoji ----------------------------------------------------------

    def _reaction_target_or_explain(self) -> Message | None:
        """The message a reaction goes to; if there is none, the user is told so."""
        key = self.shown_key
        target = None
        if key is not None:
            target = reaction_target(
                self.session.messages(key),
                self.session.me(key[0]),
                self.message_view.selected_message,
            )
        if target is None:
            self.notify("No message to react to yet.", severity="warning")
        return target

    @on(MessageView.Selected)
    def _message_selected(self, event: MessageView.Selected) -> None:
        event.stop()
        self.refresh_bindings()  # "Who reacted" goes with a selected message

    def action_who_reacted(self) -> None:
        """The selected message's reactions, by name, in a dialog that follows them."""
        key = self.shown_key
        selected = self.message_view.selected_message
        if key is None or selected is None:
            return
        from chatui.ui.controllers.reacted import NO_REACTIONS, who_reacted

        if not any(selected.reactions.values()):
            self.notify(NO_REACTIONS, markup=False)
            return
        from chatui.ui.screens.who_reacted import WhoReacted

        me = self.session.me(key[0])
        message_id = selected.message_id
        if selected.sender == me:
            about = f"On your message: {selected.body}"
        else:
            thread = self.session.inbox.get(key)
            sender = selected.sender_name or (
                thread.name_of(selected.sender) if thread is not None else selected.sender
            )
            about = f"On {sender}'s message: {selected.body}"

        def rows() -> list[ReactionNames] | None:
            if self.shown_key != key:
                return None
            messages = self.session.messages(key)
            message = next((m for m in messages if m.message_id == message_id), None)
            if message is None:
                return None
            return who_reacted(message, me, self.session.inbox.get(key), messages)

        def closed(_: None) -> None:
            self._who_reacted = None

        self._who_reacted = WhoReacted(about, rows, shortcodes=self.message_view.shortcodes)
        self.app.push_screen(self._who_reacted, closed)

    def action_quick_react(self) -> None:
        key = self.shown_key
        if key is None:
            return
        target = self._reaction_target_or_explain()
        if target is not None:
            emoji = self.looks.quick_reaction(self._open_thread())
            self._react(key, target.message_id, emoji)

    def action_react_picker(self) -> None:
        key = self.shown_key
        if key is None:
            return
        target = self._reaction_target_or_explain()
        if target is None:
            return
        message_id = target.message_id
        self._pick_emoji(lambda emoji: self._react(key, message_id, emoji))

    def action_insert_emoji(self) -> None:
        if self.shown_key is None:
            return

        def insert(emoji: str) -> None:
            self.composer.focus()
            self.composer.type_text(emoji)

        self._pick_emoji(insert)

    def _pick_emoji(self, then: Callable[[str], None]) -> None:
        """Open the emoji picker (recent first, then the thread theme's reaction set)."""
        from chatui.ui.screens.emoji_picker import EmojiPicker

        thread = self._open_thread()
        theme = self.looks.theme_of(thread) if thread is not None else None
        first = list(theme.reactions) if theme is not None else []

        def picked(emoji: str | None) -> None:
            if emoji:
                self._remember_emoji(emoji)
                then(emoji)

        self.app.push_screen(EmojiPicker(recent=self.emoji.items, first=first), picked)

    def on_composer_emoji_used(self, event: Composer.EmojiUsed) -> None:
        event.stop()
        self._remember_emoji(event.emoji)

    def _remember_emoji(self, emoji: str) -> None:
        self.composer.recent_emoji = self.emoji.use(emoji)  # completion offers them first

    @work(group="reactions", exit_on_error=False)
    async def _react(self, key: ThreadKey, message_id: str, emoji: str, typed: str = "") -> None:
        try:
            await self.session.toggle_reaction(key, message_id, emoji)
        except BackendError as err:
            self._not_done(key, f"Reaction not sent: {one_line(str(err))}", typed)
            return
        if self.drawing:
            self._remember_emoji(emoji)

    # --- reply, edit, unsend, copy ---------------------------------------------------

    def _me(self) -> str:
        return self.session.me(self.shown_key[0]) if self.shown_key is not None else ""

    def _target(self, own: bool) -> Message | None:
        key = self.shown_key
        if key is None:
            return None
        pick = own_target if own else others_target
        return pick(self.session.messages(key), self._me(), self.message_view.selected_message)

    def _sender_name(self, message: Message) -> str:
        if message.sender == self._me():
            return "yourself"
        if message.sender_name:
            return message.sender_name
        thread = self._open_thread()
        return thread.name_of(message.sender) if thread is not None else message.sender

    def action_reply(self) -> None:
        """The next message sent answers the selected (or newest) message."""
        target = self._target(own=False)
        if target is None:
            self.notify("No message to reply to yet.", severity="warning")
            return
        if isinstance(self._mode, Editing):
            self.cancel_mode()
        self._mode = Replying(target.message_id, target.sender, target.body)
        self._composer_context.show(reply_words(self._sender_name(target), target.body))
        self.composer.focus()

    def action_edit_message(self) -> None:
        """Load our selected (or newest) message into the composer to change it."""
        target = self._target(own=True)
        if target is None:
            self.notify("No message of yours to edit.", severity="warning")
            return
        if target.sender != self._me() or target.kind != "text":
            self.notify(NOT_YOURS_EDIT, severity="warning", markup=False)
            return
        draft = self.composer.value
        if isinstance(self._mode, Editing):
            draft = self._mode.draft  # from one edit to another: the first draft stays
        self._mode = Editing(target.message_id, draft)
        self._composer_context.show(EDIT_WORDS)
        self._set_composer_quietly(target.body)
        self.composer.focus()

    def on_composer_edit_last(self, event: Composer.EditLast) -> None:
        """Up in the empty message box edits our newest message (not the selected
        one: the box, not the conversation, has the focus)."""
        event.stop()
        key = self.shown_key
        if key is None:
            return
        mine = own_target(self.session.messages(key), self._me(), None)
        if mine is not None and mine.kind == "text":
            self.message_view.select(mine.message_id)  # shows which one is edited
            self.action_edit_message()

    def cancel_mode(self) -> None:
        """Leave reply or edit mode; an edit gives back the draft it replaced."""
        mode = self._mode
        self._mode = None
        self._composer_context.clear()
        if isinstance(mode, Editing) and self._composer is not None:
            self._set_composer_quietly(mode.draft)

    def _finish_mode(self) -> None:
        mode = self._mode
        self._mode = None
        self._composer_context.clear()
        # The composer was emptied by Enter: the draft from before comes back.
        if isinstance(mode, Editing) and self._composer is not None and not self.composer.value:
            self._set_composer_quietly(mode.draft)

    @work(group="edit", exit_on_error=False)
    async def _edit(self, key: ThreadKey, message_id: str, text: str) -> None:
        try:
            await self.session.edit(key, message_id, text)
        except BackendError as err:
            self._not_done(key, f"Not saved: {one_line(str(err))}")
            return

    def action_unsend_message(self) -> None:
        """Unsend our selected (or newest) message for everyone, once confirmed."""
        key = self.shown_key
        target = self._target(own=True)
        if key is None or target is None:
            self.notify("No message of yours to unsend.", severity="warning")
            return
        if target.sender != self._me():
            self.notify(NOT_YOURS_UNSEND, severity="warning", markup=False)
            return
        from chatui.ui.screens.confirm_unsend import ConfirmUnsend

        message_id = target.message_id

        def answered(unsend: bool | None) -> None:
            if unsend:
                self._unsend(key, message_id)

        self.app.push_screen(ConfirmUnsend(target.body), answered)

    @work(group="edit", exit_on_error=False)
    async def _unsend(self, key: ThreadKey, message_id: str) -> None:
        try:
            await self.session.unsend(key, message_id)
        except BackendError as err:
            self._not_done(key, f"Not unsent: {one_line(str(err))}")

    def action_copy_message(self) -> None:
        """The selected message's text as it was sent (not as drawn) to the clipboard,
        through the terminal (OSC 52): Textual cannot tell whether the terminal
        honours it, so the notice says so."""
        target = self._target(own=False)
        if target is None:
            self.notify("No message to copy.", severity="warning")
            return
        self.app.copy_to_clipboard(target.body)
        self.notify("Copied (if your terminal allows it).", markup=False)
