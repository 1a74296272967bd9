"""config.toml: what is written reads back the same, and a broken file says where."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from chatui.core.models import AccountConfig
from chatui.profile.config import ConfigError, load_accounts, save_accounts
from chatui.profile.folders import Profile

ALICE = AccountConfig(
    account_id="local-alice",
    kind="local",
    server="http://127.0.0.1:8765",
    username="alice",
    label="A",
    color="#5fafff",
    token_store="keyring",
)
BOB = AccountConfig(
    account_id="work",
    kind="local",
    server="https://chat.example.org",
    username="bob",
    label="Wörk ✨",
    color="magenta",
    token_store="file",
)


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    return Profile.resolve(tmp_path / "profile")


def write(profile: Profile, text: str) -> None:
    profile.config_file.parent.mkdir(parents=True, exist_ok=True)
    profile.config_file.write_text(text, encoding="utf-8")


def test_no_config_file_means_no_accounts(profile: Profile) -> None:
    assert load_accounts(profile) == []


def test_round_trip_keeps_every_field_and_the_order(profile: Profile) -> None:
    save_accounts(profile, [BOB, ALICE])
    assert load_accounts(profile) == [BOB, ALICE]
    raw = tomllib.loads(profile.config_file.read_text(encoding="utf-8"))
    assert [entry["account_id"] for entry in raw["accounts"]] == ["work", "local-alice"]
    assert set(raw["accounts"][0]) == {
        "account_id",
        "kind",
        "server",
        "username",
        "label",
        "color",
        "token_store",
    }


def test_save_replaces_atomically_and_keeps_other_settings(profile: Profile) -> None:
    write(profile, 'theme = "sunset"\n\n[keys]\nquit = "ctrl+q"\n')
    save_accounts(profile, [ALICE])
    save_accounts(profile, [ALICE, BOB])
    raw = tomllib.loads(profile.config_file.read_text(encoding="utf-8"))
    assert raw["theme"] == "sunset"
    assert raw["keys"] == {"quit": "ctrl+q"}
    assert len(raw["accounts"]) == 2
    # No temp file left behind next to the config.
    assert sorted(p.name for p in profile.config_dir.iterdir()) == ["config.toml"]


def test_save_refuses_to_overwrite_a_file_it_cannot_parse(profile: Profile) -> None:
    write(profile, "accounts = [\n")
    with pytest.raises(ConfigError):
        save_accounts(profile, [ALICE])
    assert profile.config_file.read_text(encoding="utf-8") == "accounts = [\n"


def test_invalid_toml_names_the_file_and_the_line(profile: Profile) -> None:
    write(profile, '[[accounts]]\naccount_id = "a"\nkind = local\n')
    with pytest.raises(ConfigError) as info:
        load_accounts(profile)
    message = str(info.value)
    assert str(profile.config_file) in message
    assert "line 3" in message


def test_missing_field_names_file_line_entry_and_field(profile: Profile) -> None:
    write(
        profile,
        "# my accounts\n"
        '[[accounts]]\naccount_id = "a"\nkind = "local"\nserver = "http://x"\nusername = "u"\n'
        "\n"
        '[[accounts]]\naccount_id = "b"\nkind = "local"\nusername = "v"\n',
    )
    with pytest.raises(ConfigError) as info:
        load_accounts(profile)
    message = str(info.value)
    assert str(profile.config_file) in message
    assert "line 8" in message
    assert "entry 2" in message
    assert "'server'" in message


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("server = 5\n", "'server' must be a string"),
        ('server = "http://x"\ntoken_store = "plaintext"\n', "'token_store'"),
        ('server = "http://x"\ncolour = "red"\n', "unknown field 'colour'"),
        ('server = "http://x"\ntoken = "s3cret"\n', "secrets are never read"),
    ],
)
def test_bad_field_values_are_named(profile: Profile, entry: str, expected: str) -> None:
    write(profile, f'[[accounts]]\naccount_id = "a"\nkind = "local"\nusername = "u"\n{entry}')
    with pytest.raises(ConfigError) as info:
        load_accounts(profile)
    assert expected in str(info.value)
    assert str(profile.config_file) in str(info.value)
    assert "s3cret" not in str(info.value)


def test_account_id_that_could_escape_the_tokens_folder_is_refused(profile: Profile) -> None:
    write(
        profile,
        '[[accounts]]\naccount_id = "../../x"\nkind = "local"\nserver = "http://x"\n'
        'username = "u"\n',
    )
    with pytest.raises(ConfigError, match="account_id"):
        load_accounts(profile)


def test_duplicate_account_ids_are_refused(profile: Profile) -> None:
    entry = '[[accounts]]\naccount_id = "a"\nkind = "local"\nserver = "http://x"\nusername = "u"\n'
    write(profile, entry + entry)
    with pytest.raises(ConfigError, match="used twice"):
        load_accounts(profile)


def test_accounts_must_be_an_array_of_tables(profile: Profile) -> None:
    write(profile, 'accounts = "alice"\n')
    with pytest.raises(ConfigError, match=r"array of tables"):
        load_accounts(profile)


def test_config_file_is_private(profile: Profile) -> None:
    old = os.umask(0)
    try:
        save_accounts(profile, [ALICE])
    finally:
        os.umask(old)
    assert stat.S_IMODE(profile.config_file.stat().st_mode) & 0o077 == 0


def test_profile_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATUI_CONFIG_DIR", str(tmp_path / "from-env"))
    assert Profile.resolve(str(tmp_path / "flag")).config_dir == tmp_path / "flag"
    from_env = Profile.resolve(None)
    assert from_env.config_dir == tmp_path / "from-env"
    assert from_env.data_dir == tmp_path / "from-env" / "data"
    assert from_env.config_file == tmp_path / "from-env" / "config.toml"

    monkeypatch.delenv("CHATUI_CONFIG_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    platform = Profile.resolve(None)
    assert platform.config_dir == tmp_path / "xdg-config" / "chatui"
    assert platform.data_dir == tmp_path / "xdg-data" / "chatui"
