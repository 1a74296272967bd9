"""The help screen's content in the app: the part of :class:`~chatui.ui.app.ChatApp`
behind F1, ``?``, ``/help`` and the palette's help command.

Apart from the app's wiring because the key list is text to keep in step with the
features, not logic: it reads the keys from the bindings in force, so the help
never names a key the app does not have. The help screen itself is imported on
first use: it is not needed for the first frame (bench/startup.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chatui.ui.app import ChatApp
    from chatui.ui.screens.help import HelpScreen

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


class HelpActions:
    """Mixed into ChatApp: the help screen and the key list it shows."""

    def help_keys(self: ChatApp) -> list[tuple[str, str]]:
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

    def action_help(self: ChatApp) -> None:
        if isinstance(self.screen, _help_screen()):
            return
        # What a Matrix server keeps of an expired message is said where it applies.
        session = self.session
        matrix = session is not None and any(
            linked.config.kind == "matrix" for linked in session.linked.values()
        )
        self.push_screen(_help_screen()(self.help_keys(), matrix=matrix))


def _help_screen() -> type[HelpScreen]:
    from chatui.ui.screens.help import HelpScreen

    return HelpScreen
