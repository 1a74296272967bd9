"""The chatui Textual application: one window over one
:class:`~chatui.session.session.Session`.

The app itself is thin: it picks the first screen (the first-run welcome when no
account is linked, else the main window, chatui.ui.main_screen), holds the keys
that work over every screen (quit, the command palette, suspend), applies the
user's ``[keys]`` (chatui.ui.actions) and stops the Session on the way out. It
also links accounts (the account form, chatui.ui.screens.account_form), because
that spans screens: the first account moves the app from the welcome to the main
window. Everything about conversations is the main screen's.

Vanish mode, chat themes and reactions come in three ways each, as people reach
for them: a key shown in the footer, the command palette, and a ``/command``
typed in the composer (chatui.ui.slash_commands). Every key and palette entry
comes from one table, chatui.ui.actions.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import RenderableType
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from chatui.core.sanitize import one_line
from chatui.session.session import Session
from chatui.ui.actions import ACTIONS, BY_ID, ORDER, app_bindings, help_rows, resolve_keymap
from chatui.ui.emoji_filter import SteadyEmoji
from chatui.ui.main_screen import MainScreen
from chatui.ui.terminal_keys import teach_alt_enter

if TYPE_CHECKING:
    from chatui.core.models import AccountConfig
    from chatui.profile.display_settings import Settings
    from chatui.profile.folders import Profile
    from chatui.profile.linking import AccountRequest, SignedIn
    from chatui.ui.palette import ChatCommandsProvider, ConversationsProvider


def _conversations_provider() -> type[ConversationsProvider]:
    """Imported when the palette first opens: not needed for the first frame."""
    from chatui.ui.palette import ConversationsProvider

    return ConversationsProvider


def _open_in_browser(app: App[Any], url: str) -> None:
    """chatui.ui.browser, imported on the first link opened."""
    from chatui.ui.browser import open_in_browser

    open_in_browser(app, url)


def _chat_commands_provider() -> type[ChatCommandsProvider]:
    """The main window's commands (from the actions table)."""
    from chatui.ui.palette import ChatCommandsProvider

    return ChatCommandsProvider


_FIXED_HELP_KEYS: tuple[tuple[str, str], ...] = (
    ("Enter", "open the selected conversation · send the message"),
    ("Alt+Enter", "in the message box: a new line (also Shift+Enter, Ctrl+J)"),
    ("Tab", "move between the list, the conversation and the message box"),
    ("↑ ↓ Home End", "in the conversation: select a message (reactions go to it)"),
    (":name", "in the message box: emoji by name, e.g. :thumbsup: (Tab completes)"),
    ("@name", "in the message box: mention a member (Tab completes)"),
    ("↑", "in the empty message box: edit your last message"),
)
"""The help's first lines: the widgets' own keys, which cannot be rebound."""


class ChatApp(App[str | None]):
    """One window: every linked account's conversations, merged.

    ``ChatApp(None)`` (or a Session without accounts) shows the first-run screen;
    the app then exits with ``"demo"`` if the user asked for the demo.
    """

    CSS_PATH = Path(__file__).with_name("app.tcss")
    NOTIFICATION_TIMEOUT = 4
    """Seconds a toast stays (Textual's default is 5): toasts say short things;
    what needs action stays in the status bar. A warning that must be read gives
    its own longer timeout."""
    COMMANDS = App.COMMANDS | {_conversations_provider, _chat_commands_provider}
    BINDINGS: ClassVar[list[BindingType]] = app_bindings()

    def __init__(
        self,
        session: Session | None,
        profile: Profile | None = None,
        *,
        title: str = "chatui",
        links_accounts: bool = True,
    ) -> None:
        """``links_accounts``: the Session is the profile's own accounts, so accounts
        added in the app join ``config.toml`` and the Session (not in the demo, whose
        accounts are its own)."""
        super().__init__()
        # Alt+Enter (a new line in the message box) is ESC CR in most terminals,
        # which Textual would read as Enter (send): chatui.ui.terminal_keys.
        teach_alt_enter()
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
        # Emoji drawn at the width Textual counted, in every terminal (docs/emoji.md);
        # off with [display] emoji = "exact", read at mount.
        self.steady_emoji = SteadyEmoji()
        self._filters.append(self.steady_emoji)
        self.session = session
        self.profile = profile
        self.title = title
        self.links_accounts = links_accounts and profile is not None
        self.shutting_down = False
        """Set first thing when quitting: from then on nothing is drawn."""
        self.user_keymap: dict[str, str] = {}
        """The user's ``[keys]`` in force (action id -> keys), once read."""
        self._main: MainScreen | None = None
        self.display_settings: Settings | None = None
        """The profile's ``[display]`` settings, once read (at mount)."""
        self._saved_app_theme: str | None = None
        """The app theme in config.toml ([display] app_theme), once read."""
        self.url_opener: Callable[[str], object] = partial(_open_in_browser, self)
        """What hands an http(s) link to the browser (:meth:`open_url` checks it
        first): chatui.ui.browser, which works in a thread. Tests put their own
        here, to see what would be opened."""

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

    @property
    def main(self) -> MainScreen:
        """The main window (not there on a first run)."""
        if self._main is None:
            raise LookupError("no main window: no account is linked (first run)")
        return self._main

    def get_default_screen(self) -> Screen:
        if self.first_run:
            return Screen(id="welcome-backdrop")
        assert self.session is not None
        self._main = MainScreen(self.session, self.profile)
        return self._main

    def on_mount(self) -> None:
        # The app's own colors as the user last chose them: before the first frame,
        # so that it is not drawn in the default first.
        self._restore_app_theme()
        self.theme_changed_signal.subscribe(self, self._app_theme_chosen)
        if self.first_run:
            from chatui.ui.screens.first_run import FirstRunScreen

            add = self.add_account if self.links_accounts else None
            self.push_screen(FirstRunScreen(add), callback=self._first_run_done)

    def _restore_app_theme(self) -> None:
        if self.profile is None:
            return
        from chatui.profile.display_settings import load_settings

        # Read once, here before the first frame; the main screen's chat themes take
        # the rest of [display] from it (MainScreen._begin_session).
        self.display_settings = load_settings(self.profile)
        self.steady_emoji.enabled = not self.display_settings.exact_emoji
        if self.session is not None:
            self.session.send_typing = self.display_settings.send_typing
        wanted = self.display_settings.app_theme
        # Nothing kept yet: the default counts as kept (only a choice is written).
        self._saved_app_theme = wanted or self.theme
        if wanted is None:
            return
        if wanted in self.available_themes:
            self.theme = wanted
            return
        # Shown once the screen is up; the rest of [display] is reported with the
        # chat themes (a bad value there is the main screen's to say).
        names = ", ".join(sorted(self.available_themes))
        self.call_after_refresh(
            self.notify,
            f"{self.profile.config_file}: [display] app_theme: no app theme called"
            f" {wanted!r} (themes: {names}) — the default is used.",
            title="A setting could not be read",
            severity="warning",
            timeout=10,
            markup=False,
        )

    def _app_theme_chosen(self, theme: object) -> None:
        """Keep the app theme chosen in the palette for the next start."""
        name = self.theme
        if self.profile is None or self.shutting_down or name == self._saved_app_theme:
            return
        from chatui.profile.display_settings import save_setting
        from chatui.profile.files import ConfigError

        try:
            save_setting(self.profile, "app_theme", name)
        except (ConfigError, OSError) as err:
            self.notify(
                f"The app theme is used now but could not be kept: {err}",
                title="Not saved",
                severity="warning",
                markup=False,
            )
            return
        self._saved_app_theme = name

    def _first_run_done(self, result: str | None) -> None:
        self.exit(result=result)

    def exit(
        self,
        result: str | None = None,
        return_code: int = 0,
        message: RenderableType | None = None,
    ) -> None:
        # From here on the widgets go away; session changes must not touch them.
        self.shutting_down = True
        super().exit(result=result, return_code=return_code, message=message)

    async def on_unmount(self) -> None:
        self.shutting_down = True
        if self.session is not None:
            if self._main is not None:
                self._main.leave()
            await self.session.stop()

    # --- accounts --------------------------------------------------------------------

    def add_account(self) -> None:
        """The account form; an account linked there joins the running Session at once
        (and the first one leaves the welcome for the main window)."""
        if not self.links_accounts:
            self.notify(
                "The demo's accounts are its own: to add yours, quit and run chatui.",
                title="Not in the demo",
                markup=False,
            )
            return
        from chatui.profile.linking import default_token_store
        from chatui.ui.screens.account_form import AccountForm

        linked = self.session.linked.values() if self.session is not None else ()
        store = default_token_store([account.config for account in linked])
        self.push_screen(AccountForm(self._link_new, token_store=store), self._account_ready)

    def log_in_again(self, account_id: str | None = None) -> None:
        """The account form for an account whose token the server refused (the first
        such one unless ``account_id`` says): only the password is asked."""
        session = self.session
        waiting = session.signed_out() if session is not None else []
        if session is None or not waiting or not self.links_accounts:
            return
        from chatui.ui.screens.account_form import AccountForm

        account = session.account(account_id if account_id in waiting else waiting[0])
        _state, reason = session.states.get(account.account_id, (None, ""))
        form = AccountForm(partial(self._renew, account), relogin=account, reason=reason)
        self.push_screen(form, self._account_ready)

    async def _link_new(self, request: AccountRequest, password: str) -> SignedIn:
        from chatui.profile.linking import add_account, names_account
        from chatui.ui.screens.account_form import FORM_WORDS

        assert self.profile is not None
        session = self.session
        for account_id in session.signed_out() if session is not None else ():
            account = session.account(account_id)
            if not request.register and names_account(request, account):
                # Linked already, but signed out: what is wanted is logging in again,
                # not "already linked".
                return await self._renew(account, request, password)
        return await add_account(self.profile, request, password, FORM_WORDS)

    async def _renew(self, account: AccountConfig, request: object, password: str) -> SignedIn:
        from chatui.profile.linking import SignedIn, log_in_again
        from chatui.ui.screens.account_form import FORM_WORDS

        assert self.profile is not None
        token = await log_in_again(self.profile, account, password, FORM_WORDS)
        return SignedIn(account, token)

    def _account_ready(self, result: object | None) -> None:
        """The form's answer: the account linked (or logged in again), or None."""
        from chatui.profile.linking import SignedIn

        if isinstance(result, SignedIn):
            self._join(result)

    @work(group="accounts", exit_on_error=False)
    async def _join(self, signed_in: SignedIn) -> None:
        """Link the account into the Session (a new one, or one with its new token)."""
        from chatui.session.launch import LaunchSession, ready_account

        account = signed_in.account
        if self.session is None:
            assert self.profile is not None
            self.session = LaunchSession(self.profile, [])
        again = account.account_id in self.session.linked
        who = f"{one_line(account.username)} on {one_line(account.server)}"
        self.notify(
            f"Logged in again as {who}." if again else f"Linked {who} as {account.account_id}.",
            title="Account linked",
            markup=False,
        )
        # Running: it starts at once (this returns once its threads are in). Before
        # the main window has started the Session, it only joins.
        await self.session.link(ready_account(account, signed_in.token))
        if self._main is None:
            self._show_main()

    def _show_main(self) -> None:
        """From the welcome to the main window, once the first account is linked."""
        assert self.session is not None
        self._main = MainScreen(self.session, self.profile)
        # The welcome screen goes without its callback (which would quit the app).
        self.switch_screen(self._main)

    # --- keys ------------------------------------------------------------------------

    def apply_user_keys(self) -> None:
        """Bind the user's ``[keys]``; a bad or clashing one is reported by name and
        that action keeps its default keys (chatui.ui.actions.resolve_keymap)."""
        if self.profile is None:
            return
        from chatui.profile.key_settings import load_keys

        settings = load_keys(self.profile)
        keymap, problems = resolve_keymap(settings.entries)
        self.user_keymap = keymap
        if keymap:
            # Textual's keymap rebinds existing bindings by id; an action with no
            # default key (palette only) has none yet, so it is bound here.
            for action_id, keys in keymap.items():
                action = BY_ID[action_id]
                if not action.keys and self._main is not None:
                    self._main.bind_user_keys(action, keys)
            self.set_keymap(keymap)
        where = self.profile.config_file
        for text in (*settings.errors, *(f"{where}: {problem}" for problem in problems)):
            self.notify(
                text, title="A key could not be bound", severity="warning", timeout=10, markup=False
            )

    def keys_of(self, action_name: str) -> list[str]:
        """The keys of a Textual action as shown to the user ("^r", "f1"), in force."""
        index = ORDER.get(action_name)
        if index is None:
            return []
        action = ACTIONS[index]
        keys = self.user_keymap.get(action.id, action.keys)
        return [
            self.get_key_display(Binding(key.strip(), action_name))
            for key in keys.split(",")
            if key.strip()
        ]

    def help_keys(self) -> list[tuple[str, str]]:
        """(keys, what they do) for the help screen: the keys in force."""
        keys_of = {action.action: self.keys_of(action.action) for action in ACTIONS}
        return [*_FIXED_HELP_KEYS, *help_rows(keys_of)]

    async def action_quit(self) -> None:
        """Quit; with messages not sent yet, ask first (they are kept either way)."""
        from chatui.ui.screens.confirm_quit import ConfirmQuit

        if isinstance(self.screen, ConfirmQuit):
            self.exit()  # Ctrl+Q twice: the answer is yes
            return
        unsent = self.session.unsent() if self.session is not None else 0
        if not unsent or self.first_run:
            self.exit()
            return

        def answered(quit_now: bool | None) -> None:
            if quit_now:
                self.exit()

        self.push_screen(ConfirmQuit(unsent), answered)

    def deliver_screenshot(
        self,
        filename: str | None = None,
        path: str | None = None,
        time_format: str | None = None,
    ) -> str | None:
        """The palette's "Screenshot": into the Downloads folder (or ``path``), made
        first when it does not exist yet; if it cannot be, say where and why."""
        from platformdirs import user_downloads_path

        folder = Path(path) if path else user_downloads_path()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            self.notify(
                f"Screenshot not saved: cannot create {folder} ({err.strerror or err})",
                title="Screenshot",
                severity="error",
                markup=False,
            )
            return None
        return super().deliver_screenshot(filename, str(folder), time_format)

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Open a web link in the user's browser: http(s) only, anything else is
        refused here, whoever asks (Textual's own would call webbrowser on the
        event loop; see chatui.ui.browser)."""
        from chatui.core.links import openable

        if not openable(url):
            self.notify(
                "Only web links (http, https) are opened.",
                title="Link not opened",
                severity="warning",
                markup=False,
            )
            return
        self.url_opener(url)

    def action_suspend(self) -> None:
        # The suspend signal closes the open chat (see MainScreen._suspended).
        self.action_suspend_process()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title == "Theme":
                # Textual's own theme colors the app; each conversation has its own too.
                command = command._replace(
                    help="The app's own colors (a conversation's colors: Chat theme…)"
                )
            yield command
