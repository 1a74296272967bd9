"""Where access tokens live: the system keyring, or a 0600 file when asked plainly.

Keyring entries use service name ``"chatui"`` and the account id as the user name,
so ``secret-tool lookup service chatui username ACCOUNT_ID`` (or
``keyring get chatui ACCOUNT_ID``) finds one by hand.

The file store (``token_store = "file"``) keeps ``<data_dir>/tokens/<account_id>.token``
in a 0700 folder with mode 0600, created with those modes from the first byte (never
written and then chmod-ed) and replaced atomically. It is not encrypted; the
``account add`` command says so when it is chosen.

Tokens are never logged and never put into exception messages.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from chatui.core.models import AccountConfig
from chatui.profile.config import is_valid_account_id
from chatui.profile.folders import Profile

KEYRING_SERVICE = "chatui"
_PROBE_USER = "chatui-probe"  # never written; reading it proves the keyring answers


class TokenStoreError(Exception):
    """A token could not be stored, found or removed; the message is fit for a user."""


class SecretServiceUnavailable(TokenStoreError):
    """No usable system keyring (on Linux: no Secret Service on the session bus)."""


# --- public API ------------------------------------------------------------------------


def store_token(profile: Profile, account: AccountConfig, token: str) -> None:
    if not token:
        raise TokenStoreError(f"refusing to store an empty token for {account.account_id!r}")
    if account.token_store == "file":
        _write_token_file(token_path(profile, account), token)
        return
    keyring = _usable_keyring()
    try:
        keyring.set_password(KEYRING_SERVICE, _keyring_user(account), token)
    except Exception as err:
        raise TokenStoreError(
            f"the keyring ({_backend_name(keyring)}) refused to store the token for "
            f"{account.account_id!r}: {_reason(err)}"
        ) from err


def load_token(profile: Profile, account: AccountConfig) -> str:
    if account.token_store == "file":
        return _read_token_file(token_path(profile, account))
    keyring = _usable_keyring()
    try:
        token = keyring.get_password(KEYRING_SERVICE, _keyring_user(account))
    except Exception as err:
        raise TokenStoreError(
            f"could not read the token for {account.account_id!r} from the keyring "
            f"({_backend_name(keyring)}): {_reason(err)}"
        ) from err
    if not token:
        raise TokenStoreError(
            f"no token for {account.account_id!r} in the keyring (service "
            f"{KEYRING_SERVICE!r}, user {account.account_id!r}); link the account again "
            f"with 'chatui account remove {account.account_id}' and 'chatui account add'"
        )
    return token


def delete_token(profile: Profile, account: AccountConfig) -> None:
    """Forget the token; a token that is already gone is not an error."""
    if account.token_store == "file":
        path = token_path(profile, account)
        try:
            path.unlink()
        except FileNotFoundError:
            return
        except OSError as err:
            raise TokenStoreError(f"could not delete {path}: {err.strerror or err}") from err
        return
    keyring = _usable_keyring()
    from keyring.errors import PasswordDeleteError

    try:
        keyring.delete_password(KEYRING_SERVICE, _keyring_user(account))
    except PasswordDeleteError:
        return  # not there: nothing to forget
    except Exception as err:
        raise TokenStoreError(
            f"could not delete the token for {account.account_id!r} from the keyring "
            f"({_backend_name(keyring)}): {_reason(err)}"
        ) from err


def check_token_store(profile: Profile, token_store: str) -> None:
    """Raise unless ``token_store`` can take a token now: done *before* logging in.

    For the keyring this talks to it (a read of a probe entry), because on a headless
    box ``keyring`` happily returns a backend that only fails when used.
    """
    if token_store == "file":
        _check_can_create(profile.tokens_dir)
    elif token_store == "keyring":
        _usable_keyring()
    else:
        raise TokenStoreError(f"unknown token store {token_store!r} (use keyring or file)")


def token_path(profile: Profile, account: AccountConfig) -> Path:
    if not is_valid_account_id(account.account_id):
        # The id becomes a file name: never let it leave the tokens folder.
        raise TokenStoreError(f"invalid account id {account.account_id!r}")
    return profile.tokens_dir / f"{account.account_id}.token"


# --- keyring ---------------------------------------------------------------------------


def _keyring_user(account: AccountConfig) -> str:
    return account.account_id


def _usable_keyring():
    """The active keyring backend, after proving it can answer; else SecretServiceUnavailable."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null

        backend = keyring.get_keyring()
    except Exception as err:  # a broken keyring install or config
        raise SecretServiceUnavailable(f"the keyring could not be loaded: {_reason(err)}") from err
    if isinstance(backend, fail.Keyring | null.Keyring) or (
        isinstance(backend, chainer.ChainerBackend) and not backend.backends
    ):
        raise SecretServiceUnavailable(
            "no system keyring was found (no Secret Service on the D-Bus session bus)"
        )
    try:
        backend.get_password(KEYRING_SERVICE, _PROBE_USER)
    except Exception as err:
        raise SecretServiceUnavailable(
            f"the keyring ({_backend_name(backend)}) does not answer: {_reason(err)}"
        ) from err
    return backend


def _backend_name(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _reason(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


# --- file store ------------------------------------------------------------------------


def _check_can_create(directory: Path) -> None:
    """Raise unless ``directory`` exists or could be made, without making anything.

    Used before logging in, so that a login that then fails leaves no empty folders.
    """
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise TokenStoreError(f"cannot create {directory}: {existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise TokenStoreError(f"cannot create {directory}: {existing} is not writable")


def _ensure_private_dir(directory: Path) -> None:
    """Create ``directory`` (and parents) and make sure only we can enter it."""
    try:
        directory.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            directory.mkdir(mode=0o700)
        if not directory.is_dir():
            raise TokenStoreError(f"{directory} exists and is not a folder")
        if stat.S_IMODE(directory.stat().st_mode) != 0o700:
            os.chmod(directory, 0o700)  # mkdir's mode is filtered by the umask
    except OSError as err:
        raise TokenStoreError(f"cannot prepare {directory}: {err.strerror or err}") from err


def _write_token_file(path: Path, token: str) -> None:
    _ensure_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        # O_EXCL + mode 0600 at creation: the token is never readable by others,
        # not even for the instant between write and chmod.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW, 0o600)
        try:
            os.fchmod(fd, 0o600)  # the umask can only remove bits, but be exact
            os.write(fd, token.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise TokenStoreError(f"cannot write {path}: {err.strerror or err}") from err


def _read_token_file(path: Path) -> str:
    try:
        fd = os.open(path, os.O_RDONLY | _O_NOFOLLOW)
    except FileNotFoundError as err:
        raise TokenStoreError(
            f"no token file {path}; link the account again with 'chatui account add'"
        ) from err
    except OSError as err:
        raise TokenStoreError(f"cannot read {path}: {err.strerror or err}") from err
    try:
        mode = stat.S_IMODE(os.fstat(fd).st_mode)
        if mode & 0o077:
            # As ssh does with private keys: a token others can read is a leak
            # already; refuse it loudly instead of using it quietly.
            raise TokenStoreError(
                f"{path} is readable by others (mode {mode:04o}); run 'chmod 600 {path}' "
                "and consider the token exposed"
            )
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read()
    finally:
        os.close(fd)
    try:
        token = data.decode("utf-8").strip()
    except UnicodeDecodeError as err:
        raise TokenStoreError(f"{path} is not a token file (not UTF-8 text)") from err
    if not token:
        raise TokenStoreError(f"{path} is empty; link the account again")
    return token


_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
