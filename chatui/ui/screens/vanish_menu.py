"""The vanish menu: how long this conversation's messages live.

A small list in the manner of Signal's "disappearing messages" menu: Off, Vanish
(once seen and the chat is closed, as Messenger's vanish mode), the timer presets
of :data:`chatui.core.notices.TIMER_PRESETS`, and Custom… which opens a field
for any duration ``parse_duration`` accepts ("90s", "10m", "1h30m", "3d"). The
setting in force is marked, so opening the menu also answers "is it on?".

The screen only chooses: it is dismissed with the chosen :class:`VanishSetting`
(or None for Esc) and the app sends it, so a refusal from the server is reported
in one place for the menu, the palette and ``/vanish``.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from chatui.core.models import VanishSetting
from chatui.core.notices import TIMER_PRESETS, duration_words, parse_duration
from chatui.ui.widgets.ordered_keys import OrderedInput

_CUSTOM = "custom"
_MARK = "● "  # the setting in force (a radio button: meaning survives without color)
_NO_MARK = "○ "


def _option_id(setting: VanishSetting) -> str:
    """The menu row that stands for ``setting`` (a timer off the presets is Custom…)."""
    if setting.mode == "vanish":
        return "vanish"
    if setting.mode == "timer" and setting.seconds:
        return f"timer-{setting.seconds}" if setting.seconds in TIMER_PRESETS else _CUSTOM
    return "off"


def _setting_of(option_id: str) -> VanishSetting | None:
    if option_id == "off":
        return VanishSetting()
    if option_id == "vanish":
        return VanishSetting(mode="vanish")
    if option_id.startswith("timer-"):
        return VanishSetting(mode="timer", seconds=int(option_id.removeprefix("timer-")))
    return None  # Custom…: asks for a duration first


class VanishMenu(ModalScreen[VanishSetting | None]):
    """Choose the open conversation's vanish setting; ``current`` is marked."""

    DEFAULT_CSS = """
    VanishMenu {
        align: center middle;
    }
    VanishMenu > Vertical {
        width: 52;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        padding: 0 1 1 1;
        border: round $primary;
        border-title-style: bold;
        background: $surface;
    }
    VanishMenu #vanish-about {
        color: $text-muted;
        margin-bottom: 1;
    }
    VanishMenu OptionList, VanishMenu OptionList:focus {
        height: auto;
        max-height: 12;
        border: none;
        padding: 0;
    }
    VanishMenu #vanish-custom {
        display: none;
        margin-top: 1;
    }
    VanishMenu #vanish-custom.shown {
        display: block;
    }
    VanishMenu #vanish-error {
        display: none;
        color: $error;
        height: auto;
    }
    VanishMenu #vanish-error.shown {
        display: block;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="vanish_menu.cancel"),
    ]

    def __init__(self, current: VanishSetting, *, title: str = "") -> None:
        super().__init__()
        self.current = current
        self._title = title

    def compose(self) -> ComposeResult:
        current = _option_id(self.current)
        options: list[Option] = []
        rows: list[tuple[str, str]] = [
            ("off", "Off — messages stay"),
            ("vanish", "Vanish — once seen and the chat is closed"),
        ]
        rows += [(f"timer-{s}", f"{duration_words(s)} after being seen") for s in TIMER_PRESETS]
        custom_label = "Custom…"
        if current == _CUSTOM and self.current.seconds:
            custom_label = f"Custom… (now {duration_words(self.current.seconds)})"
        rows.append((_CUSTOM, custom_label))
        for option_id, label in rows:
            mark = _MARK if option_id == current else _NO_MARK
            options.append(Option(Text(mark + label), id=option_id))
        with Vertical() as box:
            box.border_title = "Vanish mode"
            box.border_subtitle = "Enter chooses · Esc cancels"
            about = "Shared with everyone in this conversation."
            if self._title:
                about = f"For {self._title}. {about}"
            yield Static(Text(about), id="vanish-about")
            yield OptionList(*options, id="vanish-options")
            yield OrderedInput(placeholder="how long? e.g. 90s, 10m, 2h, 3d", id="vanish-custom")
            yield Static("", id="vanish-error")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = options.get_option_index(_option_id(self.current))
        options.focus()

    @on(OptionList.OptionSelected, "#vanish-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        setting = _setting_of(option_id)
        if setting is not None:
            self.dismiss(setting)
            return
        field = self.query_one("#vanish-custom", Input)
        field.add_class("shown")
        if self.current.mode == "timer" and self.current.seconds and not field.value:
            field.value = f"{self.current.seconds}s"
        field.focus()

    @on(Input.Submitted, "#vanish-custom")
    def _custom_entered(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            seconds = parse_duration(event.value)
        except ValueError as err:
            error = self.query_one("#vanish-error", Static)
            error.update(Text(str(err)))
            error.add_class("shown")
            return
        self.dismiss(VanishSetting(mode="timer", seconds=seconds))

    def action_cancel(self) -> None:
        self.dismiss(None)
