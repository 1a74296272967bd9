"""The user's key bindings: the ``[keys]`` table of the profile's config.toml.

::

    [keys]
    react = "ctrl+e"            # an action's id = its keys
    vanish_on = "alt+v"         # actions without a default key can be given one
    help = "f1,f2"              # several keys, comma-separated

This module only reads the table: each entry must be a string, and a bad entry is
reported naming the file and the field. Whether the action exists and the key is
usable is the key table's business (chatui.ui.actions.resolve_keymap), which
knows the actions; whatever is refused there or here keeps its default keys.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from chatui.profile.files import ConfigError, read_document, type_name
from chatui.profile.folders import Profile

log = logging.getLogger(__name__)

TABLE = "keys"


@dataclass(frozen=True)
class KeySettings:
    entries: tuple[tuple[str, str], ...] = ()
    """(action id, keys as written), in file order."""
    errors: tuple[str, ...] = ()
    """What could not be read, each naming the file and the field."""


def load_keys(profile: Profile) -> KeySettings:
    """The ``[keys]`` entries as written; never raises (problems are in ``errors``)."""
    path = profile.config_file
    try:
        document = read_document(path)
    except ConfigError as err:
        return KeySettings(errors=(f"key bindings not read, defaults used ({err})",))
    table = document.get(TABLE, {})
    if not isinstance(table, dict):
        return KeySettings(errors=(f"{path}: [{TABLE}] must be a table, not {type_name(table)}",))
    entries: list[tuple[str, str]] = []
    errors: list[str] = []
    for name, value in table.items():
        if isinstance(value, str):
            entries.append((name, value))
        else:
            errors.append(
                f'{path}: [{TABLE}] {name}: must be a string of keys such as "ctrl+e",'
                f" not {type_name(value)}; its default is kept"
            )
    for error in errors:
        log.warning("%s", error)
    return KeySettings(tuple(entries), tuple(errors))
