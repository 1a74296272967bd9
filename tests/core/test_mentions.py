"""The one mention rule (chatui/core/mentions.py) that the server, the Matrix
adapter's sending and its reading of older clients' messages share."""

from __future__ import annotations

import pytest

from chatui.core.mentions import handles, mentioned, mentions


@pytest.mark.parametrize(
    "body",
    [
        "@bob",
        "hi @bob",
        "@Bob: lunch?",
        "thanks @BOB.",
        "ask @bob, then me",
        "@bob's idea",
        "(@bob)",
        "line one\n@bob line two",
        "@bob!",
    ],
)
def test_a_word_of_its_own_is_a_mention(body: str) -> None:
    assert mentions(body, "bob")


@pytest.mark.parametrize(
    "body",
    [
        "bob",  # no @
        "mail@bob.org",  # an address, not a call
        "x.@bob",
        "@bobby",
        "@bob.smith",
        "@bob-2",
        "@bob_",
        "",
    ],
)
def test_glued_or_longer_names_are_not(body: str) -> None:
    assert not mentions(body, "bob")


def test_names_with_dots_and_dashes_and_other_scripts() -> None:
    assert mentions("cc @bob.smith please", "bob.smith")
    assert not mentions("cc @bob.smith please", "bob")
    assert mentions("@zoë, look", "Zoë")
    assert not mentions("@zoëy", "zoë")
    # A regex character in a name is only a character.
    assert mentions("hi @a.b", "a.b") and not mentions("hi @axb", "a.b")


def test_a_bare_word_counts_without_the_at_sign_when_asked() -> None:
    assert mentions("Alice Smith, are you there?", "alice smith", at_sign=False)
    assert not mentions("Alice Smithers", "alice smith", at_sign=False)
    assert not mentions("alice smith", "", at_sign=False)


def test_which_names_are_mentioned_in_order_once() -> None:
    assert mentioned("@carol and @alice, not bob", ["alice", "bob", "carol", "alice"]) == [
        "alice",
        "carol",
    ]
    assert mentioned("nobody here", ["alice"]) == []


def test_a_handle_is_the_display_name_else_the_id_without_its_at_sign() -> None:
    # Reference-server usernames have no display names: the name is the handle.
    assert handles(["bob", "carol"], {}) == ["bob", "carol"]
    # Matrix: the display name people see; an id without one loses its own "@",
    # which the mention writes.
    names = {"@bob:hs": "Bob Smith"}
    assert handles(["@bob:hs", "@carol:hs"], names) == ["Bob Smith", "carol:hs"]
    assert mentions("@Bob Smith, lunch?", "Bob Smith")


@pytest.mark.parametrize(
    "name",
    [
        "sam",  # shared with the other member (any case): it would call both
        "Sam\nSmith",  # two lines
        "Sam\x1b[31m",  # an escape sequence
        "@Sam",  # its own "@": the mention would read "@@Sam"
        "   ",
    ],
)
def test_a_name_that_would_not_call_this_one_person_gives_way_to_the_id(name: str) -> None:
    names = {"@a:hs": name, "@b:hs": "Sam"}
    assert handles(["@a:hs", "@b:hs"], names)[0] == "a:hs"


def test_a_shared_name_gives_way_for_both_members_once_each() -> None:
    names = {"@a:hs": "sam", "@b:hs": "Sam", "@c:hs": "Dee"}
    assert handles(["@a:hs", "@b:hs", "@c:hs", "@a:hs"], names) == ["a:hs", "b:hs", "Dee"]
