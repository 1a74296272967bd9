"""What the user has seen of the open thread: the rule that starts vanish timers.

What counts as "seen": the message view reports the messages whose lines it drew;
they are passed on (to ``Session.messages_seen``) only while the thread is
actually visible: the main screen on top, or a dialog that leaves the thread in
view (the theme picker's side panel). Under a centred dialog (menus, help, the
palette, the emoji picker) the report is held and passed on when the dialog
closes, if the thread is still the open one. Getting this wrong makes messages
vanish unread, or stay after they should have gone (docs/vanish.md).

Leaving a thread (opening another), quitting and suspending close it
(``Session.close_thread``); that is the main screen's part.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from chatui.core.models import ThreadKey

log = logging.getLogger(__name__)


class SeenReporter:
    """Holds the last drawn messages and passes them on while they are visible.

    ``report`` is ``Session.messages_seen`` (the same ids twice change nothing).
    """

    def __init__(self, report: Callable[[ThreadKey, list[str]], None]) -> None:
        self._report = report
        self._in_view: tuple[ThreadKey, tuple[str, ...]] | None = None

    def drawn(
        self, key: ThreadKey | None, ids: Sequence[str], *, shown: ThreadKey | None, visible: bool
    ) -> None:
        """The view drew these messages of ``key``; ``shown`` is the open thread."""
        if key is None or key != shown:
            return
        # Kept: passed on again when a dialog closes, and once the Session has the
        # thread open (the view may draw before Session.open_thread starts).
        self._in_view = (key, tuple(ids))
        self.pass_on(shown=shown, visible=visible)

    def pass_on(self, *, shown: ThreadKey | None, visible: bool) -> None:
        """Tell the Session what is in view now, if the open thread is visible."""
        in_view = self._in_view
        if in_view is None or not visible:
            return
        key, ids = in_view
        if key != shown or not ids:
            return
        try:
            self._report(key, list(ids))
        except Exception:  # the screen must keep working whatever the timers do
            log.exception("messages_seen failed")

    def forget(self) -> None:
        """Another thread was opened: what was in view belonged to the old one."""
        self._in_view = None
