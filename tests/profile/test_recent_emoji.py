"""Recently used emoji: kept per profile, bounded, and a broken file never stops anything."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from chatui.profile.folders import Profile
from chatui.profile.recent_emoji import FILE_NAME, MAX_RECENT, RecentEmoji


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    return Profile.resolve(tmp_path / "profile")


def test_used_emoji_come_back_most_recent_first_after_a_restart(profile: Profile) -> None:
    recent = RecentEmoji.load(profile)
    assert recent.items == ()
    for glyph in ("👍", "🎉", "👩\u200d💻", "👍"):
        recent.use(glyph)
    again = RecentEmoji.load(profile)
    assert again.items == ("👍", "👩\u200d💻", "🎉")
    assert json.loads((profile.data_dir / FILE_NAME).read_text("utf-8")) == list(again.items)


def test_the_list_is_bounded(profile: Profile) -> None:
    recent = RecentEmoji.load(profile)
    glyphs = [chr(0x1F600 + i) for i in range(MAX_RECENT + 10)]
    for glyph in glyphs:
        recent.use(glyph)
    loaded = RecentEmoji.load(profile).items
    assert len(loaded) == MAX_RECENT
    assert loaded[0] == glyphs[-1]


@pytest.mark.parametrize(
    "content",
    [b"{not json", b'{"a": 1}', b"\xff\xfe", b'["\\u001b[31m", 5, "\xf0\x9f\x91\x8d"]'],
)
def test_a_corrupt_file_starts_empty_and_says_so(
    profile: Profile, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    path = profile.data_dir / FILE_NAME
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="chatui.profile.recent_emoji"):
        recent = RecentEmoji.load(profile)
    assert recent.items in ((), ("👍",))  # the one good entry of the last case is kept
    assert str(path) in caplog.text
    recent.use("🎉")  # and the next use writes a good file over it
    assert RecentEmoji.load(profile).items[0] == "🎉"


def test_no_temp_files_are_left_behind(profile: Profile) -> None:
    recent = RecentEmoji.load(profile)
    recent.use("👍")
    recent.use("🎉")
    assert sorted(p.name for p in profile.data_dir.iterdir()) == [FILE_NAME]


def test_a_control_character_is_never_recorded(profile: Profile) -> None:
    recent = RecentEmoji.load(profile)
    recent.use("\x1b]52;c;aGk=\x07")
    recent.use("")
    assert recent.items == ()


def test_without_a_profile_the_list_lives_in_memory(tmp_path: Path) -> None:
    recent = RecentEmoji(None)
    recent.use("👍")
    assert recent.items == ("👍",)


def test_never_renames_over_something_that_is_not_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    recent = RecentEmoji(folder)
    recent.use("👍")  # logged, not raised; the folder is untouched
    assert folder.is_dir() and list(folder.iterdir()) == []
    assert list(tmp_path.iterdir()) == [folder]
