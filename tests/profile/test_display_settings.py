"""Display settings from config.toml's [display] table: bad values are named, never fatal."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatui.core.models import AccountConfig
from chatui.profile.config import load_accounts, save_accounts
from chatui.profile.display_settings import Settings, load_settings, save_setting
from chatui.profile.folders import Profile


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    return Profile.resolve(tmp_path / "profile")


def write(profile: Profile, text: str) -> None:
    profile.config_file.parent.mkdir(parents=True, exist_ok=True)
    profile.config_file.write_text(text, encoding="utf-8")


def test_defaults_without_a_config(profile: Profile) -> None:
    settings = load_settings(profile)
    assert settings == Settings(emoji="glyph", theme=None)
    assert settings.errors == ()
    assert not settings.shortcodes


def test_values_are_read(profile: Profile) -> None:
    write(profile, '[display]\nemoji = "shortcode"\ntheme = "Sunset"\n')
    settings = load_settings(profile)
    assert settings.emoji == "shortcode" and settings.shortcodes
    assert settings.theme == "Sunset"
    assert settings.errors == ()


def test_send_typing_is_on_unless_turned_off(profile: Profile) -> None:
    assert load_settings(profile).send_typing
    write(profile, "[display]\nsend_typing = false\n")
    settings = load_settings(profile)
    assert settings.send_typing is False and settings.errors == ()


def test_exact_emoji_is_a_mode(profile: Profile) -> None:
    write(profile, '[display]\nemoji = "exact"\n')
    settings = load_settings(profile)
    assert settings.exact_emoji and not settings.shortcodes and settings.errors == ()
    assert not load_settings(Profile.resolve(profile.config_file.parent / "other")).exact_emoji


@pytest.mark.parametrize(
    ("table", "field", "words"),
    [
        ('emoji = "pictures"', "emoji", "'pictures'"),
        ("emoji = 3", "emoji", "an integer"),
        ('theme = ""', "theme", "theme name"),
        ("theme = true", "theme", "a boolean"),
        ('colour = "red"', "colour", "unknown setting"),
        ('send_typing = "no"', "send_typing", "true or false"),
    ],
)
def test_a_bad_value_names_the_file_and_field_and_the_default_is_used(
    profile: Profile, table: str, field: str, words: str
) -> None:
    write(
        profile,
        f'[display]\n{table}\nemoji = "shortcode"\n'
        if field != "emoji"
        else f"[display]\n{table}\n",
    )
    settings = load_settings(profile)
    assert len(settings.errors) == 1
    error = settings.errors[0]
    assert error.field == field
    assert str(profile.config_file) in str(error) and field in str(error) and words in str(error)
    if field == "emoji":
        assert settings.emoji == "glyph"
    else:
        assert settings.emoji == "shortcode"  # the good field still applies
        assert settings.theme is None


def test_an_unreadable_file_gives_defaults_and_says_why(profile: Profile) -> None:
    write(profile, "[display\nemoji = ")
    settings = load_settings(profile)
    assert settings.emoji == "glyph" and settings.theme is None
    assert "not valid TOML" in str(settings.errors[0])
    write(profile, 'display = "glyph"\n')
    assert "must be a table" in str(load_settings(profile).errors[0])


def test_saving_a_setting_keeps_the_accounts(profile: Profile) -> None:
    account = AccountConfig(
        account_id="home",
        kind="local",
        server="http://127.0.0.1:1",
        username="bob",
        label="H",
        color="#5fafff",
        token_store="file",
    )
    save_accounts(profile, [account])
    save_setting(profile, "emoji", "shortcode")
    save_setting(profile, "theme", "Sunset")
    save_setting(profile, "theme", None)
    assert load_settings(profile) == Settings(emoji="shortcode", theme=None)
    assert load_accounts(profile) == [account]
    save_accounts(profile, [account])  # and the accounts' writer keeps the settings
    assert load_settings(profile).emoji == "shortcode"
    with pytest.raises(ValueError):
        save_setting(profile, "emoji", "pictures")
