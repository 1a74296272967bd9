"""The token stores: the file store's modes, and the keyring probe's verdicts."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail, null

from chatui.core.models import AccountConfig
from chatui.profile import labels
from chatui.profile.folders import Profile
from chatui.profile.tokens import (
    SecretServiceUnavailable,
    TokenStoreError,
    check_token_store,
    delete_token,
    load_token,
    store_token,
    token_path,
)

ACCOUNT = AccountConfig(
    account_id="local-alice",
    kind="local",
    server="http://127.0.0.1:1",
    username="alice",
    label="A",
    color="#5fafff",
    token_store="file",
)


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    return Profile.resolve(tmp_path / "profile")


@pytest.fixture
def open_umask():
    """The most permissive umask: modes must come from the code, not the umask."""
    old = os.umask(0)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_file_token_is_0600_in_a_0700_folder(profile: Profile, open_umask) -> None:
    store_token(profile, ACCOUNT, "tok-1")
    path = token_path(profile, ACCOUNT)
    assert path == profile.data_dir / "tokens" / "local-alice.token"
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert load_token(profile, ACCOUNT) == "tok-1"


def test_replacing_a_token_keeps_0600_and_leaves_no_temp_file(profile: Profile, open_umask) -> None:
    store_token(profile, ACCOUNT, "tok-1")
    store_token(profile, ACCOUNT, "tok-2")
    path = token_path(profile, ACCOUNT)
    assert load_token(profile, ACCOUNT) == "tok-2"
    assert mode(path) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["local-alice.token"]


def test_a_too_open_tokens_folder_is_tightened(profile: Profile) -> None:
    profile.tokens_dir.mkdir(parents=True)
    os.chmod(profile.tokens_dir, 0o755)
    store_token(profile, ACCOUNT, "tok")
    assert mode(profile.tokens_dir) == 0o700


def test_a_token_file_others_can_read_is_refused(profile: Profile) -> None:
    store_token(profile, ACCOUNT, "tok")
    os.chmod(token_path(profile, ACCOUNT), 0o644)
    with pytest.raises(TokenStoreError, match="chmod 600"):
        load_token(profile, ACCOUNT)


def test_delete_removes_the_file_and_is_idempotent(profile: Profile) -> None:
    store_token(profile, ACCOUNT, "tok")
    delete_token(profile, ACCOUNT)
    assert not token_path(profile, ACCOUNT).exists()
    delete_token(profile, ACCOUNT)
    with pytest.raises(TokenStoreError, match="account add"):
        load_token(profile, ACCOUNT)


def test_an_account_id_cannot_name_a_file_outside_the_tokens_folder(profile: Profile) -> None:
    evil = replace(ACCOUNT, account_id="../config")
    with pytest.raises(TokenStoreError):
        store_token(profile, evil, "tok")
    assert not list(profile.config_dir.rglob("*.token"))


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()])
def test_a_keyring_that_cannot_keep_secrets_is_reported(profile: Profile, backend) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        with pytest.raises(SecretServiceUnavailable):
            check_token_store(profile, "keyring")
        with pytest.raises(SecretServiceUnavailable):
            store_token(profile, replace(ACCOUNT, token_store="keyring"), "t")
    finally:
        keyring.set_keyring(previous)


def test_default_labels_ids_and_colors_stay_distinct() -> None:
    assert labels.default_account_id("local", "http://h:1", "Alice", []) == "local-alice"
    assert (
        labels.default_account_id("local", "http://h.example:8765", "alice", ["local-alice"])
        == "local-alice-h.example-8765"
    )
    assert labels.default_label("alice", []) == "A"
    assert labels.default_label("anna", ["A"]) == "AN"
    colors: list[str] = []
    for _ in labels.PALETTE:
        colors.append(labels.default_color(colors))
    assert sorted(colors) == sorted(labels.PALETTE)
