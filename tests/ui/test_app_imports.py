"""Starting the app imports what the first frame needs and nothing more: each
dialog, the theme files and the settings are imported on first use, so that a
feature added to the main screen does not make every start slower
(bench/startup.py)."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_app_leaves_the_dialogs_and_files_for_later() -> None:
    # A fresh interpreter: what importing chatui.ui.app imports, as a user's start does.
    later = [
        "chatui.ui.palette",
        "chatui.ui.slash_commands",
        "chatui.core.themes",
        "chatui.profile.display_settings",
        "chatui.profile.key_settings",
        "chatui.profile.recent_emoji",
        "chatui.ui.chat_style",
        "chatui.ui.screens.first_run",
        "chatui.ui.screens.invite",
        "chatui.ui.screens.new_conversation",
        "chatui.ui.screens.vanish_menu",
        "chatui.ui.screens.theme_picker",
        "chatui.ui.screens.emoji_picker",
        "chatui.ui.screens.help",
        "chatui.ui.screens.confirm_quit",
        # The message box: made with the conversation pane, after the first frame.
        "chatui.ui.widgets.composer",
        "textual.widgets._text_area",
    ]
    code = f"import sys, chatui.ui.app\nprint(' '.join(m for m in {later!r} if m in sys.modules))\n"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == []
    # The check itself sees imports: the main window is imported with the app.
    code = "import sys, chatui.ui.app\nprint('chatui.ui.main_screen' in sys.modules)\n"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "True"
