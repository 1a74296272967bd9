"""The linked accounts in ``config.toml``: non-secret settings only.

The file looks like this (one ``[[accounts]]`` table per linked account)::

    [[accounts]]
    account_id = "local-alice"
    kind = "local"
    server = "http://127.0.0.1:8765"
    username = "alice"
    label = "A"
    color = "#5fafff"
    token_store = "keyring"

Tokens and passwords never go here (see :mod:`chatui.profile.tokens`); a config
that carries one is refused rather than silently used, so that nobody is taught to
paste a secret into a file that gets copied between machines.

Reading is strict and every complaint names the file, the entry and the field (and
the line when it can be found), because a user fixing a config by hand needs to
know where to look. Writing is atomic (temp file + ``os.replace``) so a crash or a
full disk never leaves half a config behind. Top-level keys other than
``accounts`` are kept as they are, for settings other modules may add later.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import tomli_w

from chatui.core.models import AccountConfig
from chatui.profile.files import ConfigError, atomic_write, read_document, type_name
from chatui.profile.folders import Profile

TOKEN_STORES = ("keyring", "file")

# An account id names a token file and a keyring entry: keep it to characters that
# are safe in a file name everywhere and cannot walk out of the tokens folder.
ACCOUNT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

_REQUIRED = ("account_id", "kind", "server", "username")
_OPTIONAL = ("label", "color", "token_store", "network")
_SECRET_KEYS = frozenset({"token", "access_token", "password", "secret"})


def is_valid_account_id(account_id: str) -> bool:
    return bool(ACCOUNT_ID_RE.fullmatch(account_id))


def load_accounts(profile: Profile) -> list[AccountConfig]:
    """The linked accounts, in file order; ``[]`` when there is no config yet."""
    path = profile.config_file
    document = read_document(path)
    raw = document.get("accounts", [])
    if not isinstance(raw, list):
        raise ConfigError(
            f"{path}: 'accounts' must be an array of tables ([[accounts]]), not {type_name(raw)}"
        )
    lines = _entry_lines(path)
    accounts: list[AccountConfig] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(raw):
        where = _where(path, index, lines)
        account = _parse_entry(entry, where)
        if account.account_id in seen:
            raise ConfigError(
                f"{where}: account_id {account.account_id!r} is used twice "
                f"(also by entry {seen[account.account_id] + 1}); ids must be unique"
            )
        seen[account.account_id] = index
        accounts.append(account)
    return accounts


def save_accounts(profile: Profile, accounts: Iterable[AccountConfig]) -> None:
    """Write ``accounts`` to ``config.toml`` atomically, keeping other top-level keys.

    Raises ConfigError when the present file cannot be parsed: that file is the
    user's to fix, and overwriting it would lose what they wrote by hand.
    """
    path = profile.config_file
    accounts = list(accounts)
    ids = [a.account_id for a in accounts]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate account ids: {ids}")
    document = read_document(path)
    document["accounts"] = [_entry_for(account) for account in accounts]
    atomic_write(path, tomli_w.dumps(document).encode("utf-8"))


# --- reading -------------------------------------------------------------------------


def _entry_lines(path: Path) -> list[int]:
    """The line number of each ``[[accounts]]`` header, for pointing at an entry."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    header = re.compile(r"^\s*\[\[\s*accounts\s*\]\]")
    return [n for n, line in enumerate(text.splitlines(), start=1) if header.match(line)]


def _where(path: Path, index: int, lines: list[int]) -> str:
    if index < len(lines):
        return f"{path}, line {lines[index]}: accounts entry {index + 1}"
    return f"{path}: accounts entry {index + 1}"


def _parse_entry(entry: object, where: str) -> AccountConfig:
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: must be a table, not {type_name(entry)}")
    secrets = sorted(_SECRET_KEYS.intersection(entry))
    if secrets:
        raise ConfigError(
            f"{where}: field {secrets[0]!r} is not allowed: secrets are never read from "
            "the config file. Remove it and link the account again with "
            "'chatui account add' (the token then goes to the keyring or a 0600 file)"
        )
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        known = ", ".join((*_REQUIRED, *_OPTIONAL))
        raise ConfigError(f"{where}: unknown field {unknown[0]!r} (known fields: {known})")
    values: dict[str, str] = {}
    for name in (*_REQUIRED, *_OPTIONAL):
        if name not in entry:
            if name in _REQUIRED:
                raise ConfigError(f"{where}: required field {name!r} is missing")
            continue
        value = entry[name]
        if not isinstance(value, str):
            raise ConfigError(f"{where}: field {name!r} must be a string, not {type_name(value)}")
        if name in _REQUIRED and not value.strip():
            raise ConfigError(f"{where}: field {name!r} must not be empty")
        values[name] = value
    account_id = values["account_id"]
    where = f"{where} ({account_id!r})"
    if not is_valid_account_id(account_id):
        raise ConfigError(
            f"{where}: field 'account_id' must be 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    token_store = values.get("token_store", "keyring")
    if token_store not in TOKEN_STORES:
        raise ConfigError(
            f"{where}: field 'token_store' must be one of {', '.join(TOKEN_STORES)}, "
            f"not {token_store!r}"
        )
    return AccountConfig(
        account_id=account_id,
        kind=values["kind"],
        server=values["server"],
        username=values["username"],
        label=values.get("label") or account_id[:1].upper(),
        color=values.get("color") or "default",
        token_store=token_store,
        network=values.get("network", ""),
    )


# --- writing -------------------------------------------------------------------------


def _entry_for(account: AccountConfig) -> dict[str, str]:
    entry = {
        "account_id": account.account_id,
        "kind": account.kind,
        "server": account.server,
        "username": account.username,
        "label": account.label,
        "color": account.color,
        "token_store": account.token_store,
    }
    if account.network:
        entry["network"] = account.network
    return entry
