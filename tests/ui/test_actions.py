"""The one table of actions (chatui.ui.actions): every key, footer label, help line
and palette entry comes from it, and a user's ``[keys]`` is checked against it."""

from __future__ import annotations

import pytest

from chatui.ui.actions import ACTIONS, BY_ID, resolve_keymap
from chatui.ui.app import ChatApp
from chatui.ui.main_screen import MainScreen


def test_every_action_has_its_method_where_it_applies() -> None:
    for action in ACTIONS:
        owner = ChatApp if action.where == "everywhere" else MainScreen
        assert callable(getattr(owner, f"action_{action.action}", None)), action.id


def test_ids_and_default_keys_are_unique() -> None:
    assert len(BY_ID) == len(ACTIONS)
    keymap, problems = resolve_keymap({})
    assert (keymap, problems) == ({}, [])  # the defaults clash with nothing


def test_the_bindings_carry_the_tables_words() -> None:
    by_id = {b.id: b for b in MainScreen.BINDINGS if not isinstance(b, tuple)}
    react = by_id["react"]
    assert (react.key, react.action, react.description) == ("ctrl+r", "quick_react", "React")
    assert react.priority  # works while typing, even on a key the message box binds
    # Palette-only actions have no binding until the user gives them a key.
    assert "vanish_on" not in by_id


def test_a_good_keymap_is_taken_as_written() -> None:
    keymap, problems = resolve_keymap(
        {"react": "ctrl+e", "vanish_on": "alt+v", "help": "f1, f2", "retry_failed": "T"}
    )
    assert problems == []
    assert keymap == {
        "react": "ctrl+e",
        "vanish_on": "alt+v",
        "help": "f1,f2",
        "retry_failed": "T",
    }


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        (("nonsense", "f6"), "no such action"),
        (("react", "ctrl+bogus"), "'ctrl+bogus' is not a key name"),
        (("react", "ctrl++"), "is not a key name"),
        (("react", "enter"), "Enter sends a message"),
        (("react", "tab"), "Tab moves between"),
        (("react", "e"), "would be typed into the message box"),
        (("react", "shift+e"), "would be typed into the message box"),
        (("react", ""), "no key given"),
        (("retry_failed", "k"), "k and j move"),
    ],
)
def test_a_bad_entry_is_named_and_the_default_kept(entry: tuple[str, str], words: str) -> None:
    keymap, problems = resolve_keymap([entry])
    assert keymap == {}
    [problem] = problems
    assert problem.action_id == entry[0]
    assert words in str(problem)
    if entry[0] == "react":
        assert "its default ctrl+r is kept" in str(problem)


def test_a_key_taken_by_another_action_is_refused() -> None:
    keymap, problems = resolve_keymap({"theme_picker": "ctrl+q"})
    assert keymap == {}
    assert [str(p) for p in problems] == [
        "[keys] theme_picker: 'ctrl+q' is already the key of 'quit'; its default ctrl+t is kept"
    ]


def test_a_key_freed_by_the_user_can_be_taken() -> None:
    # Quit moves away from Ctrl+Q, so the theme picker may have it.
    keymap, problems = resolve_keymap({"quit": "ctrl+x", "theme_picker": "ctrl+q"})
    assert problems == []
    assert keymap == {"quit": "ctrl+x", "theme_picker": "ctrl+q"}


def test_two_actions_given_one_key_the_first_keeps_it() -> None:
    keymap, problems = resolve_keymap([("react", "ctrl+e"), ("insert_emoji", "ctrl+e")])
    assert keymap == {"react": "ctrl+e"}
    assert [p.action_id for p in problems] == ["insert_emoji"]
    assert "already the key of 'react'; its default ctrl+o is kept" in str(problems[0])


def test_a_default_taken_back_by_a_clash_is_checked_again() -> None:
    # insert_emoji is refused (ctrl+e is react's); its default ctrl+o was given to
    # vanish_on meanwhile, so vanish_on goes back to having no key.
    keymap, problems = resolve_keymap(
        [("vanish_on", "ctrl+o"), ("react", "ctrl+e"), ("insert_emoji", "ctrl+e")]
    )
    assert keymap == {"react": "ctrl+e"}
    assert {p.action_id for p in problems} == {"insert_emoji", "vanish_on"}
