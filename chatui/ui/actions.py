"""Every user action of the main window, described once.

Each :class:`UserAction` says what the action is called (its id, also its name in
``config.toml``'s ``[keys]`` table), its default keys, the footer's short label,
the help screen's line, the command palette's title and help, and where it
applies. The bindings (:func:`screen_bindings`, :func:`app_bindings`), the footer's
order (chatui.ui.widgets.status), the help screen (chatui.ui.screens.help, through
:func:`help_rows`) and the palette (chatui.ui.palette) all read this table, so a
new action is one entry here plus its ``action_*`` method on the main screen, and
no list can fall out of step with another.

User keymaps: ``[keys] react = "ctrl+e"`` rebinds an action by its id.
:func:`resolve_keymap` checks what the user wrote against this table: an unknown
action, a key Textual cannot name, a key the message box or the list needs, or a
key another action already has is reported by name, and that action keeps its
default keys (docs/keys.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from textual.binding import Binding
from textual.keys import Keys, _character_to_key, key_to_character

Where = Literal["everywhere", "main", "thread", "messages"]
"""Where an action applies:

- ``everywhere``: the app's own keys, over any screen (quit, the palette, suspend);
- ``main``: the main window, with or without a conversation open;
- ``thread``: the main window with a conversation open (these work while typing);
- ``messages``: the conversation focused (plain letters, which the message box
  would otherwise take as text); each also needs what it acts on: a refused
  message to retry or discard, a selected message for "who reacted", a selected
  message with a web link for "open link".
"""


@dataclass(frozen=True)
class UserAction:
    id: str
    """The binding id and the action's name in ``[keys]``."""
    action: str
    """The Textual action it runs (``action_<name>`` on the main screen or the app)."""
    keys: str
    """Default keys, comma-separated Textual key names; "" for none (palette only)."""
    label: str
    """The footer's word for it."""
    help: str
    """The help screen's line for it."""
    where: Where
    palette: str = ""
    """Its title in the command palette; "" when it is not offered there."""
    palette_help: str = ""
    tooltip: str = ""
    show: bool = True
    """Shown in the footer (where there is room)."""
    importance: int = 9
    """When the footer cannot show every key, the least important go (a higher
    number first; on a tie the later in this table): Help first, since it lists
    all the others, then Quit, then whatever asks for attention now (reconnect,
    a refused message), then the conversation's own keys."""
    priority: bool = False
    """Checked before the focused widget sees the key: the thread actions must work
    while typing, even on a key the message box binds (a user may give ``react``
    the message box's Ctrl+E)."""


ACTIONS: tuple[UserAction, ...] = (
    UserAction("quit", "quit", "ctrl+q", "Quit", "quit", "everywhere", priority=True, importance=1),
    UserAction(
        "new_conversation",
        "new_conversation",
        "ctrl+n",
        "New chat",
        "start a conversation",
        "main",
        palette="New conversation…",
        palette_help="Start a conversation on any linked account",
        importance=6,
    ),
    UserAction(
        "command_palette",
        "command_palette",
        "ctrl+p",
        "Find",
        "command palette: jump to a conversation (by title or person), run any command",
        "everywhere",
        tooltip="Jump to any conversation, or run a command",
        # The footer shows the palette key on its right already.
        show=False,
        priority=True,
    ),
    UserAction(
        "retry_now",
        "retry_now",
        "f5",
        "Reconnect",
        "reconnect now an account that waits to retry",
        "main",
        palette="Reconnect now",
        palette_help="Try every account that waits to reconnect now, not at its next turn",
        tooltip="Reconnect now instead of waiting for the next try",
        priority=True,
        importance=2,
    ),
    UserAction(
        "log_in_again",
        "log_in_again",
        "f6",
        "Log in",
        "log in again to an account whose token the server refused",
        "main",
        palette="Log in again…",
        palette_help="An account the server signed out: type its password to reconnect it",
        tooltip="Log in again to the account the server signed out",
        priority=True,
    ),
    UserAction(
        "add_account",
        "add_account",
        "",
        "Add account",
        "add an account: log in, or create one on a chatui server",
        "main",
        palette="Add an account…",
        palette_help="Log in to (or create) an account on a chatui server or Matrix;"
        " its conversations join the list",
    ),
    UserAction(
        "back_to_list",
        "back_to_list",
        "escape",
        "Back to list",
        "from the conversation back to the list",
        "main",
        importance=3,
    ),
    UserAction(
        "vanish_menu",
        "vanish_menu",
        "ctrl+g",
        "Vanish",
        "vanish mode: off, vanish once seen, or a timer",
        "thread",
        palette="Vanish mode: timer…",
        palette_help="Messages disappear a while after being seen: 30 s … 1 week, or custom",
        tooltip="Vanish mode: off, vanish once seen, or a timer",
        priority=True,
        importance=5,
    ),
    UserAction(
        "vanish_on",
        "vanish_on",
        "",
        "Vanish on",
        "vanish mode on: messages disappear once seen",
        "thread",
        palette="Vanish mode: on",
        palette_help="Messages disappear once seen and the chat is closed (shared)",
        priority=True,
    ),
    UserAction(
        "vanish_off",
        "vanish_off",
        "",
        "Vanish off",
        "vanish mode off: messages stay",
        "thread",
        palette="Vanish mode: off",
        palette_help="Messages stay (shared with everyone in the chat)",
        priority=True,
    ),
    UserAction(
        "theme_picker",
        "theme_picker",
        "ctrl+t",
        "Theme",
        "this conversation's chat theme (live preview; Esc keeps the old one)",
        "thread",
        palette="Chat theme…",
        palette_help="This conversation's colors and reactions, with a live preview (shared)",
        tooltip="This conversation's chat theme, shared with everyone in it",
        priority=True,
        importance=7,
    ),
    UserAction(
        "react",
        "quick_react",
        "ctrl+r",
        "React",
        "quick reaction to the selected (or newest) message",
        "thread",
        palette="React: quick reaction",
        palette_help="React to the selected (or newest) message with the theme's first emoji",
        tooltip="React to the selected (or newest) message with the quick reaction",
        priority=True,
        importance=4,
    ),
    UserAction(
        "react_picker",
        "react_picker",
        "ctrl+y",
        "React…",
        "react with any emoji",
        "thread",
        palette="React…",
        palette_help="React to the selected (or newest) message with any emoji",
        tooltip="React with any emoji",
        show=False,
        priority=True,
    ),
    UserAction(
        "insert_emoji",
        "insert_emoji",
        "ctrl+o",
        "Emoji",
        "insert an emoji into the message box",
        "thread",
        palette="Insert emoji…",
        palette_help="Put an emoji from the picker into the message box",
        tooltip="Insert an emoji into the message box",
        show=False,
        priority=True,
    ),
    UserAction(
        "who_reacted",
        "who_reacted",
        "w",
        "Who reacted",
        "who reacted to the selected message (conversation focused)",
        "messages",
        palette="Who reacted",
        palette_help="The selected message's reactions and the names of who put each",
        tooltip="Who reacted to the selected message",
    ),
    UserAction(
        "open_link",
        "open_link",
        "o",
        "Open link",
        "open the selected message's web link in a browser (conversation focused)",
        "messages",
        palette="Open link",
        palette_help="Open the selected message's web link (its first) in the browser",
        tooltip="Open the selected message's link in the browser",
    ),
    UserAction(
        "reply",
        "reply",
        "R",
        "Reply",
        "reply to the selected message (conversation focused; Esc cancels)",
        "messages",
        palette="Reply to the selected message",
        palette_help="The next message you send answers it; Esc cancels",
        tooltip="Reply to the selected message",
        importance=5,
    ),
    UserAction(
        "edit_message",
        "edit_message",
        "e",
        "Edit",
        "edit your selected (or newest) message; Enter saves, Esc cancels",
        "messages",
        palette="Edit your message",
        palette_help="Load your selected (or newest) message into the box to change it",
        tooltip="Edit your message: Enter saves, Esc cancels",
        importance=6,
    ),
    UserAction(
        "unsend_message",
        "unsend_message",
        "d",
        "Unsend",
        "unsend your selected (or newest) message for everyone (asks first)",
        "messages",
        palette="Unsend your message…",
        palette_help="Delete your selected (or newest) message for everyone (asks first)",
        tooltip="Unsend your message for everyone",
        importance=7,
    ),
    UserAction(
        "copy_message",
        "copy_message",
        "c",
        "Copy",
        "copy the selected message's text, as sent, to the clipboard",
        "messages",
        palette="Copy the selected message",
        palette_help="Its text as sent, to the terminal's clipboard",
        tooltip="Copy the selected message's text",
        importance=8,
    ),
    UserAction(
        "jump_to_newest",
        "jump_to_newest",
        "ctrl+end",
        "Newest",
        "jump to the newest message (End with the conversation focused)",
        "thread",
        palette="Jump to the newest message",
        palette_help="Scroll the conversation to its newest message and follow new ones",
        tooltip="Jump to the newest message",
        show=False,
        priority=True,
    ),
    UserAction(
        "retry_failed",
        "retry_failed",
        "r",
        "Retry failed",
        "retry a message the server refused (conversation focused)",
        "messages",
        importance=2,
    ),
    UserAction(
        "discard_failed",
        "discard_failed",
        "x",
        "Discard failed",
        "discard a message the server refused (conversation focused)",
        "messages",
        importance=2,
    ),
    UserAction(
        "suspend",
        "suspend",
        "ctrl+z",
        "Suspend",
        "suspend to the shell (closes the conversation, as quitting does)",
        "everywhere",
        show=False,
    ),
    UserAction(
        "help",
        "help",
        # "?" reaches the screen only when the message box does not take it as text.
        "f1,question_mark",
        "Help",
        "this help",
        "main",
        palette="Help: keys, commands, what vanish mode cannot do",
        palette_help="The help screen",
        tooltip="Keys, commands, vanish mode's limits",
        importance=0,
    ),
)

BY_ID: dict[str, UserAction] = {action.id: action for action in ACTIONS}
ORDER: dict[str, int] = {action.action: index for index, action in enumerate(ACTIONS)}
"""Textual action name -> its place in the table (the footer's order)."""
IMPORTANCE: dict[str, int] = {action.action: action.importance for action in ACTIONS}
"""Textual action name -> which footer keys stay when not all fit (lower stays)."""


def _binding(action: UserAction) -> Binding:
    return Binding(
        action.keys,
        action.action,
        action.label,
        id=action.id,
        show=action.show,
        priority=action.priority,
        tooltip=action.tooltip,
    )


def app_bindings() -> list[Binding]:
    """The app's own keys: they work over every screen."""
    return [_binding(a) for a in ACTIONS if a.where == "everywhere" and a.keys]


def screen_bindings() -> list[Binding]:
    """The main window's keys (inactive under a dialog: screen bindings are)."""
    return [_binding(a) for a in ACTIONS if a.where != "everywhere" and a.keys]


def palette_actions() -> list[UserAction]:
    """The actions the command palette offers, in table order."""
    return [a for a in ACTIONS if a.palette]


def help_rows(keys_of: Mapping[str, list[str]]) -> list[tuple[str, str]]:
    """(keys, what they do) for every action that has a key in force.

    ``keys_of`` maps a Textual action name to the keys shown for it, as the app
    has them (after the user's keymap)."""
    rows: list[tuple[str, str]] = []
    for action in ACTIONS:
        shown = keys_of.get(action.action)
        if shown:
            rows.append((" / ".join(dict.fromkeys(shown)), action.help))
    return rows


# --- user keymaps ---------------------------------------------------------------------

_MODIFIERS = frozenset({"ctrl", "alt", "shift", "meta", "super", "hyper"})
_NAMED_KEYS = frozenset(key.value for key in Keys if "+" not in key.value)

RESERVED: dict[str, str] = {
    "enter": "Enter sends a message and opens a conversation",
    "ctrl+m": "Ctrl+M is Enter in a terminal",
    "alt+enter": "Alt+Enter starts a new line in the message box",
    "shift+enter": "Shift+Enter starts a new line in the message box",
    "ctrl+j": "Ctrl+J starts a new line in the message box",
    "tab": "Tab moves between the list, the conversation and the message box",
    "ctrl+i": "Ctrl+I is Tab in a terminal",
    "shift+tab": "Shift+Tab moves between the list, the conversation and the message box",
    "backspace": "Backspace deletes in the message box",
    "ctrl+h": "Ctrl+H is Backspace in many terminals",
    "delete": "Delete deletes in the message box",
    "up": "the arrows move in the list and the conversation",
    "down": "the arrows move in the list and the conversation",
    "left": "the arrows move in the message box",
    "right": "the arrows move in the message box",
    "home": "Home and End move in the list, the conversation and the message box",
    "end": "Home and End move in the list, the conversation and the message box",
    "pageup": "Page Up and Page Down scroll the list and the conversation",
    "pagedown": "Page Up and Page Down scroll the list and the conversation",
    "ctrl+c": "Ctrl+C copies the selected text",
    "k": "k and j move in the list and the conversation",
    "j": "k and j move in the list and the conversation",
}
"""Keys no action may take: the message box and the lists need them."""


@dataclass(frozen=True)
class KeymapProblem:
    """One unusable ``[keys]`` entry; the action keeps its default keys."""

    action_id: str
    problem: str

    def __str__(self) -> str:
        return f"[keys] {self.action_id}: {self.problem}"


def normalize_key(key: str) -> str | None:
    """Textual's name for ``key`` ("ctrl+e", "f5", "question_mark"), or None when
    Textual has no such key."""
    parts = [part.strip() for part in key.strip().split("+")]
    if not parts or any(not part for part in parts):
        return None
    *modifiers, base = parts
    modifiers = [m.lower() for m in modifiers]
    if not set(modifiers) <= _MODIFIERS or len(set(modifiers)) != len(modifiers):
        return None
    if len(base) == 1:
        if not base.isprintable() or base.isspace():
            return None
        base = _character_to_key(base)
    else:
        base = base.lower()
        if base not in _NAMED_KEYS and key_to_character(base) is None:
            return None
    return "+".join([*modifiers, base])


def _is_plain_character(key: str) -> bool:
    """Would the message box take ``key`` as text (no ctrl/alt/meta)?"""
    modifiers = set(key.split("+")[:-1])
    if modifiers & {"ctrl", "alt", "meta", "super", "hyper"}:
        return False
    base = key.rsplit("+", 1)[-1]
    return base == "space" or key_to_character(base) is not None


def resolve_keymap(
    wanted: Mapping[str, str] | Iterable[tuple[str, str]],
) -> tuple[dict[str, str], list[KeymapProblem]]:
    """The user's ``[keys]`` entries that can be used, and what is wrong with the rest.

    Returns a Textual keymap (binding id -> comma-separated keys) and one problem
    per refused entry, naming the action and the key. A refused action keeps its
    default keys, and so does the second of two actions given the same key (in the
    order written); the first one keeps the key.
    """
    entries = list(wanted.items()) if isinstance(wanted, Mapping) else list(wanted)
    problems: list[KeymapProblem] = []
    chosen: dict[str, list[str]] = {}
    for action_id, keys_text in entries:
        action = BY_ID.get(action_id)
        if action is None:
            known = ", ".join(sorted(BY_ID))
            problems.append(KeymapProblem(action_id, f"no such action (actions: {known})"))
            continue
        keys: list[str] = []
        problem = ""
        for written in keys_text.split(",") if keys_text.strip() else ():
            key = normalize_key(written)
            if key is None:
                problem = f"{written.strip()!r} is not a key name (e.g. ctrl+e, alt+r, f5)"
                break
            if key in RESERVED:
                problem = f"{written.strip()!r} cannot be used: {RESERVED[key]}"
                break
            if action.where != "messages" and _is_plain_character(key):
                problem = (
                    f"{written.strip()!r} would be typed into the message box;"
                    " use a key with ctrl or alt, or a function key"
                )
                break
            keys.append(key)
        if not keys and not problem:
            problem = 'no key given (write e.g. "ctrl+e")'
        if problem:
            problems.append(KeymapProblem(action_id, f"{problem}; {_default_words(action)}"))
            continue
        chosen[action_id] = keys

    # Conflicts, against the keys every action ends up with (its default unless
    # chosen). A clash keeps the earlier of the two; the later one goes back to its
    # default, which may clash in turn: repeat until nothing changes.
    while True:
        owner: dict[str, str] = {}
        clash: tuple[str, str, str] | None = None
        ordered = [a.id for a in ACTIONS if a.id not in chosen] + list(chosen)
        for action_id in ordered:
            for key in chosen.get(action_id) or _default_keys(BY_ID[action_id]):
                if key in owner and owner[key] != action_id:
                    clash = (action_id, key, owner[key])
                    break
                owner[key] = action_id
            if clash:
                break
        if clash is None:
            break
        later, key, earlier = clash
        victim = later if later in chosen else earlier
        other = earlier if victim == later else later
        del chosen[victim]
        problems.append(
            KeymapProblem(
                victim,
                f"{key!r} is already the key of {other!r}; {_default_words(BY_ID[victim])}",
            )
        )
    return {action_id: ",".join(keys) for action_id, keys in chosen.items()}, problems


def _default_keys(action: UserAction) -> list[str]:
    return [key.strip() for key in action.keys.split(",") if key.strip()]


def _default_words(action: UserAction) -> str:
    keys = _default_keys(action)
    return f"its default {', '.join(keys)} is kept" if keys else "it keeps no key"
