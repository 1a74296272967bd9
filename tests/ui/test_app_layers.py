"""ChatApp is split into a wiring module and one mixin per feature (chatui.ui.app_*).

Two things a split like this can break without any feature test noticing at once:
an ``@on`` handler moved into a plain mixin is silently never called (Textual
registers ``@on`` handlers only from classes built by its metaclass), and a feature
module that imports its dialog or its files at module level makes every start
slower (the first frame must not wait for them; bench/startup.py).
"""

from __future__ import annotations

import subprocess
import sys

from textual.message_pump import MessagePump

from chatui.ui.app import ChatApp
from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.message_view import MessageView

_FEATURE_MIXINS = [cls for cls in ChatApp.__mro__ if cls.__module__.startswith("chatui.ui.app_")]


def _registered_handlers() -> set[object]:
    """Every function Textual will call for some message, over ChatApp's classes."""
    registered: set[object] = set()
    for cls in ChatApp.__mro__:
        for handlers in cls.__dict__.get("_decorated_handlers", {}).values():
            registered.update(method for method, _selectors in handlers)
    return registered


def test_the_features_are_mixins_of_chatapp() -> None:
    names = {cls.__module__: cls.__name__ for cls in _FEATURE_MIXINS}
    assert names == {
        "chatui.ui.app_seen": "SeenTracking",
        "chatui.ui.app_vanish": "VanishActions",
        "chatui.ui.app_themes": "ThemeActions",
        "chatui.ui.app_reactions": "ReactionActions",
        "chatui.ui.app_help": "HelpActions",
    }
    for cls in _FEATURE_MIXINS:
        # Plain classes: no second message pump, no metaclass of Textual's.
        assert not issubclass(cls, MessagePump), cls


def test_every_on_handler_is_registered_with_textual() -> None:
    registered = _registered_handlers()
    decorated = {
        f"{cls.__name__}.{name}": value
        for cls in ChatApp.__mro__
        if cls.__module__.startswith("chatui.")
        for name, value in vars(cls).items()
        if callable(value) and hasattr(value, "_textual_on")
    }
    assert decorated, "ChatApp has @on handlers"
    unregistered = [name for name, value in decorated.items() if value not in registered]
    assert unregistered == [], "@on in a plain mixin is never called; declare it in app.py"


def test_the_features_messages_reach_their_handlers() -> None:
    # The two messages whose handling lives in a mixin (app_seen, app_reactions).
    handled = {
        message
        for cls in ChatApp.__mro__
        for message in cls.__dict__.get("_decorated_handlers", {})
    }
    assert {MessageView.Shown, Composer.EmojiUsed} <= handled


def test_importing_the_app_leaves_the_dialogs_and_files_for_later() -> None:
    # A fresh interpreter: what importing chatui.ui.app imports, as a user's start does.
    later = [
        "chatui.ui.palette",
        "chatui.ui.slash_commands",
        "chatui.core.themes",
        "chatui.profile.display_settings",
        "chatui.profile.recent_emoji",
        "chatui.ui.screens.first_run",
        "chatui.ui.screens.invite",
        "chatui.ui.screens.new_conversation",
        "chatui.ui.screens.vanish_menu",
        "chatui.ui.screens.theme_picker",
        "chatui.ui.screens.emoji_picker",
        "chatui.ui.screens.help",
    ]
    code = f"import sys, chatui.ui.app\nprint(' '.join(m for m in {later!r} if m in sys.modules))\n"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == []
