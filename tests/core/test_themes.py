"""Theme files: the schema, the shipped set, user themes, and a thread's shared theme.

A person editing a theme file must be able to fix it from the error alone, so each
kind of mistake is checked to name the file and the field. A shared theme comes
from a server and is hostile until validated: it must never crash the view.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatui.core import themes as themes_module
from chatui.core.contrast import is_ansi
from chatui.core.themes import (
    BUILTIN_DEFAULT,
    DEFAULT_THEME_NAME,
    FIELDS,
    ChatTheme,
    ThemeError,
    _shipped_dir,
    load_themes,
    parse_theme,
    shipped_dir,
    theme_for_thread,
)
from tests.support import require

REPO = Path(__file__).resolve().parents[2]

GOOD = """\
name = "Harbour"
dark = true
mine_bubble = ["#0a3d62", "#3c6382"]
theirs_bubble = "#1e272e"
mine_text = "auto"
theirs_text = "#f5f6fa"
accent = "#82ccdd"
background = "#0c0f12"
quick_reactions = ["⚓", "👍"]
reactions = ["⚓", "👍", "❤️"]
"""


def good(**changes: object) -> dict[str, object]:
    data = parse_theme(GOOD, source="good.toml").to_wire()
    data.update(changes)
    return data


def test_a_good_file_reads_into_a_frozen_theme():
    theme = parse_theme(GOOD, source="harbour.toml")
    assert theme.name == "Harbour" and theme.dark is True
    assert theme.mine_bubble == ("#0a3d62", "#3c6382")  # a list: gradient stops
    assert theme.theirs_bubble == ("#1e272e",)  # one color: one stop
    assert theme.mine_text is None and theme.theirs_text == "#f5f6fa"
    assert theme.quick_reaction == "⚓"
    assert theme.source == "harbour.toml"
    with pytest.raises(AttributeError):
        theme.name = "x"  # type: ignore[misc]


def test_optional_fields_have_sensible_defaults():
    theme = ChatTheme.from_mapping(
        {
            "name": "Tiny",
            "mine_bubble": "#336699",
            "theirs_bubble": "red",
            "accent": "bright_cyan",
            "background": "#fafafa",
        },
        source="tiny.toml",
    )
    assert theme.dark is False  # from the light background
    assert theme.mine_text is None and theme.theirs_text is None
    assert theme.quick_reactions and theme.reactions


def test_the_wire_form_round_trips_through_json():
    theme = parse_theme(GOOD, source="harbour.toml")
    wire = json.loads(json.dumps(theme.to_wire()))
    assert wire["name"] == "Harbour" and set(wire) == set(FIELDS)
    assert ChatTheme.from_mapping(wire, source="thread") == theme
    assert len(json.dumps(wire).encode()) <= 16 * 1024  # the server's limit


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"colour": "#000000"}, "colour", "unknown field"),
        ({"name": 7}, "name", "expected a string"),
        ({"name": ""}, "name", "empty"),
        ({"name": "x" * 65}, "name", "too long"),
        ({"name": "Evil\x1b]52;c;aGk=\x07"}, "name", "control"),
        ({"name": "Sneaky\u202egnp.exe"}, "name", "control"),
        ({"dark": "yes"}, "dark", "expected true or false"),
        ({"accent": "orange"}, "accent", "is not a color"),
        ({"background": "#12345"}, "background", "is not a color"),
        ({"background": 0x123456}, "background", "expected a color string"),
        ({"mine_bubble": ["#000000", "teal"]}, "mine_bubble[1]", "is not a color"),
        ({"mine_bubble": []}, "mine_bubble", "empty list"),
        ({"mine_bubble": ["#000000"] * 9}, "mine_bubble", "too many"),
        ({"theirs_bubble": {"a": 1}}, "theirs_bubble", "expected a color or a list"),
        ({"mine_text": "automatic"}, "mine_text", "is not a color"),
        ({"quick_reactions": []}, "quick_reactions", "empty list"),
        ({"quick_reactions": "👍"}, "quick_reactions", "expected a list of emoji"),
        ({"quick_reactions": ["👍", "ok"]}, "quick_reactions[1]", "not an emoji"),
        ({"quick_reactions": ["👍👍"]}, "quick_reactions[0]", "not an emoji"),
        ({"reactions": ["👍", 5]}, "reactions[1]", "expected an emoji string"),
        ({"reactions": ["👍", "👍"]}, "reactions[1]", "listed twice"),
        ({"reactions": ["👍"] * 65}, "reactions", "too many"),
    ],
)
def test_each_mistake_names_the_file_and_the_field(changes, field, problem):
    with pytest.raises(ThemeError) as caught:
        ChatTheme.from_mapping(good(**changes), source="my-theme.toml")
    error = caught.value
    assert error.source == "my-theme.toml" and error.field == field
    assert problem in str(error)
    assert str(error).startswith(f"my-theme.toml: {field}: ")


def test_a_missing_required_field_is_named():
    data = good()
    del data["accent"]
    with pytest.raises(ThemeError, match=r"^t\.toml: accent: missing") as caught:
        ChatTheme.from_mapping(data, source="t.toml")
    assert caught.value.field == "accent"


def test_bad_toml_names_the_file():
    with pytest.raises(ThemeError, match=r"^broken\.toml: not valid TOML") as caught:
        parse_theme('name = "unclosed', source="broken.toml")
    assert caught.value.field is None


# --- the shipped themes ---------------------------------------------------------------


def test_at_least_ten_distinctive_shipped_themes():
    catalog = load_themes(None)
    assert catalog.errors == []
    themes = list(catalog.themes.values())
    assert len(themes) >= 10
    assert themes[0].name == DEFAULT_THEME_NAME  # Default first in the picker
    assert all(t.source.startswith("shipped:") for t in themes)
    looks = {(t.mine_bubble, t.theirs_bubble, t.background) for t in themes}
    assert len(looks) == len(themes)  # no two look the same
    assert len({t.quick_reactions for t in themes}) == len(themes)  # each its own
    assert any(len(t.mine_bubble) > 1 for t in themes)  # a gradient
    assert any(not t.dark for t in themes)  # a light one
    assert "High Contrast" in catalog.themes


def test_one_shipped_theme_uses_only_the_16_ansi_colors():
    theme = load_themes(None).themes["Classic 16"]
    colors = [*theme.mine_bubble, *theme.theirs_bubble, theme.accent, theme.background]
    colors += [theme.mine_text, theme.theirs_text]
    assert all(c is not None and is_ansi(c) for c in colors)


def test_the_checkout_folder_is_used_when_the_package_has_no_themes(tmp_path):
    """An editable checkout: ``chatui/themes`` does not exist; ``themes/`` does."""
    package = tmp_path / "chatui"
    package.mkdir()
    assert _shipped_dir(package, REPO) == REPO / "themes"
    assert Path(str(shipped_dir())).resolve() == (REPO / "themes").resolve()


def test_the_package_data_folder_wins_when_present(tmp_path):
    """An installed wheel: the themes are package data at ``chatui/themes``."""
    (tmp_path / "chatui" / "themes").mkdir(parents=True)
    shutil.copy(REPO / "themes" / "sunset.toml", tmp_path / "chatui" / "themes")
    found = _shipped_dir(tmp_path / "chatui", REPO)
    assert found == tmp_path / "chatui" / "themes"
    catalog = load_themes(None, shipped=found)
    assert list(catalog.themes) == ["Sunset"]


def test_a_built_wheel_carries_the_themes_and_loads_them_from_the_zip(tmp_path):
    """Build the real wheel, then import chatui from it (zipimport) in a fresh Python."""
    try:
        import hatchling  # noqa: F401
    except ImportError:
        require(False, "hatchling (to build the wheel)")
    build = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = tmp_path.glob("chatui-*.whl")
    shipped = sorted(p.name for p in (REPO / "themes").glob("*.toml"))
    with zipfile.ZipFile(wheel) as archive:
        packed = sorted(Path(n).name for n in archive.namelist() if n.startswith("chatui/themes/"))
    assert [n for n in packed if n.endswith(".toml")] == shipped
    probe = (
        "import chatui, json; from chatui.core.themes import load_themes;"
        "c = load_themes(None);"
        "print(json.dumps([chatui.__file__, list(c.themes), len(c.errors)]))"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe],
        env={"PYTHONPATH": str(wheel), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,  # not the checkout: "" on sys.path would import it
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    origin, names, errors = json.loads(run.stdout)
    assert str(wheel) in origin  # really the zip, not the checkout
    assert errors == 0 and len(names) == len(shipped) and names[0] == DEFAULT_THEME_NAME


# --- user themes ----------------------------------------------------------------------


def test_a_user_theme_overrides_the_shipped_one_of_that_name(tmp_path):
    (tmp_path / "mine.toml").write_text(
        GOOD.replace('name = "Harbour"', 'name = "sunset"'), encoding="utf-8"
    )
    (tmp_path / "extra.toml").write_text(GOOD, encoding="utf-8")
    catalog = load_themes(tmp_path)
    assert catalog.errors == []
    sunset = catalog.get("Sunset")
    assert sunset is not None and sunset.source == str(tmp_path / "mine.toml")
    assert "Sunset" not in catalog.themes and "sunset" in catalog.themes
    assert catalog.themes["Harbour"].source == str(tmp_path / "extra.toml")
    assert len(catalog.themes) == len(load_themes(None).themes) + 1


def test_a_bad_file_is_reported_and_the_others_still_load(tmp_path):
    (tmp_path / "a_good.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b_bad_color.toml").write_text(GOOD.replace('"#82ccdd"', '"sky"'), encoding="utf-8")
    (tmp_path / "c_not_toml.toml").write_text("name = ", encoding="utf-8")
    (tmp_path / "d_binary.toml").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "e_huge.toml").write_text("# " + "x" * 70_000, encoding="utf-8")
    (tmp_path / "f_dup.toml").write_text(GOOD, encoding="utf-8")  # Harbour again
    (tmp_path / "notes.txt").write_text("not a theme", encoding="utf-8")
    catalog = load_themes(tmp_path)
    assert "Harbour" in catalog.themes
    assert len(catalog.themes) == len(load_themes(None).themes) + 1
    by_file = {Path(e.source).name: e for e in catalog.errors}
    assert set(by_file) == {
        "b_bad_color.toml",
        "c_not_toml.toml",
        "d_binary.toml",
        "e_huge.toml",
        "f_dup.toml",
    }
    assert by_file["b_bad_color.toml"].field == "accent"
    assert "not valid TOML" in str(by_file["c_not_toml.toml"])
    assert "UTF-8" in str(by_file["d_binary.toml"])
    assert "too large" in str(by_file["e_huge.toml"])
    assert by_file["f_dup.toml"].field == "name"
    assert all(str(tmp_path) in str(e) for e in catalog.errors)


def test_a_missing_user_folder_is_no_error(tmp_path):
    catalog = load_themes(tmp_path / "nope")
    assert catalog.errors == [] and len(catalog.themes) >= 10


def test_the_builtin_fallback_looks_like_the_shipped_default():
    assert load_themes(None).default == BUILTIN_DEFAULT


def test_without_the_shipped_default_the_builtin_one_is_used(tmp_path):
    catalog = load_themes(None, shipped=tmp_path)  # an empty (damaged) install
    assert catalog.themes == {} and catalog.default is BUILTIN_DEFAULT


# --- a thread's shared theme ----------------------------------------------------------


@pytest.fixture(scope="module")
def catalog():
    return load_themes(None)


def test_a_valid_shared_theme_is_used_as_sent(catalog):
    theme = theme_for_thread(good(), catalog)
    assert theme.name == "Harbour" and theme.source == themes_module.WIRE_SOURCE


def test_a_shared_theme_from_a_newer_client_falls_back_to_ours_by_name(catalog):
    wire = catalog.themes["Sunset"].to_wire() | {"sparkles": True}
    assert theme_for_thread(wire, catalog) == catalog.themes["Sunset"]
    assert theme_for_thread({"name": "Sunset"}, catalog) == catalog.themes["Sunset"]
    assert theme_for_thread({"name": "sunset", "accent": 3}, catalog).name == "Sunset"


@pytest.mark.parametrize(
    "hostile",
    [
        None,
        {},
        "Sunset",
        ["Sunset"],
        42,
        {"name": None},
        {"name": ["Sunset"]},
        {"name": {"nested": "x"}},
        {"name": "No Such Theme", "mine_bubble": "#ffffff"},
        {"name": "Evil\x1b[2J", "mine_bubble": "#000000"},
        {1: 2, None: 3},
        {"name": "x" * 100_000},
        {"name": "Ok", "mine_bubble": ["#000000"] * 100_000},
        {
            "name": "Ok",
            "mine_bubble": "#000000",
            "theirs_bubble": "#ffffff",
            "accent": "red",
            "background": "black",
            "reactions": [float("nan")],
        },
    ],
)
def test_a_hostile_shared_theme_never_crashes_and_falls_back(hostile, catalog):
    theme = theme_for_thread(hostile, catalog)
    assert theme is catalog.default or theme.name in catalog.themes


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None)
@given(
    wire=st.dictionaries(
        st.sampled_from([*FIELDS, "extra"]) | st.text(max_size=8), json_values, max_size=12
    )
)
def test_any_json_a_server_sends_yields_a_theme(wire, catalog):
    theme = theme_for_thread(wire, catalog)
    assert isinstance(theme, ChatTheme)


def test_validation_raises_only_theme_errors_for_junk():
    for junk in (None, 3, "x", [], {"name": object()}):
        with pytest.raises(ThemeError):
            ChatTheme.from_mapping(junk, source="thread")
