"""Text boxes whose keys take effect in the order they were typed.

Textual runs a widget's key bindings (Input's Backspace, arrows, Home/End,
Ctrl+W, Enter) only once the key event has bubbled up to the app, through the
message queues of every parent; the characters typed right after it are inserted
by the widget itself meanwhile. Keys that arrive in one read — a fast typist, a
paste without bracketed paste, a terminal that batches input — were therefore
reordered: "abc", Backspace, "X" left "abc", and Enter in a burst sent the text
typed after it. :class:`OrderedKeys` runs the widget's own (non-priority) bindings
in the widget's queue, in order with the characters around them; what it does not
bind bubbles on as before.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input


class OrderedKeys:
    """Mix in before the widget class: ``class Box(OrderedKeys, Input)``.

    A plain mixin, not a Widget: Textual builds a widget's CSS type names and
    component classes from its Widget bases, and this adds neither.
    """

    async def _on_key(self: Widget, event: events.Key) -> None:  # type: ignore[misc]
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if binding.priority:
                continue  # the app ran those before the key reached us
            if await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()  # nothing else in this widget sees it
                return
        # Not bound here, or the action skipped itself (SkipAction): a typed
        # character goes in as usual, anything else bubbles on to screen and app.


class OrderedInput(OrderedKeys, Input):
    """A one-line text box that keeps the order of keys typed in a burst."""
