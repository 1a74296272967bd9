"""The main window's controllers (chatui.ui.controllers), built and driven without
Textual: the rules behind vanish timers, drafts, chat themes and reactions."""

from __future__ import annotations

from pathlib import Path

from chatui.core.models import Message, Thread
from chatui.profile.folders import Profile
from chatui.storage.store import Store
from chatui.ui.controllers.drafts import Drafts
from chatui.ui.controllers.looks import ThreadLooks
from chatui.ui.controllers.reacted import names_line, who_reacted
from chatui.ui.controllers.reactions import EmojiMemory, reaction_target
from chatui.ui.controllers.seen import SeenReporter
from chatui.ui.controllers.unread import UnreadAtOpen

LUNCH = ("home", "lunch")
CLIMB = ("work", "climb")


def message(message_id: str, sender: str, **kw: object) -> Message:
    return Message("home", "lunch", message_id, sender, f"text {message_id}", 1000, **kw)


# --- what has been seen --------------------------------------------------------------


def test_seen_is_held_under_a_dialog_and_passed_on_when_it_closes() -> None:
    reported: list[tuple[tuple[str, str], list[str]]] = []
    seen = SeenReporter(lambda key, ids: reported.append((key, ids)))
    seen.drawn(LUNCH, ["m1", "m2"], shown=LUNCH, visible=False)  # a dialog on top
    assert reported == []
    seen.pass_on(shown=LUNCH, visible=True)  # the dialog closed
    assert reported == [(LUNCH, ["m1", "m2"])]


def test_seen_of_another_thread_never_counts() -> None:
    reported: list[object] = []
    seen = SeenReporter(lambda key, ids: reported.append(ids))
    seen.drawn(CLIMB, ["c1"], shown=LUNCH, visible=True)  # drawn for a thread no longer open
    seen.drawn(LUNCH, ["m1"], shown=LUNCH, visible=False)
    seen.forget()  # another thread was opened meanwhile
    seen.pass_on(shown=LUNCH, visible=True)
    assert reported == []


def test_a_failing_report_does_not_break_the_screen() -> None:
    def report(key: object, ids: object) -> None:
        raise RuntimeError("timer trouble")

    SeenReporter(report).drawn(LUNCH, ["m1"], shown=LUNCH, visible=True)  # no raise


# --- drafts --------------------------------------------------------------------------


def test_drafts_survive_a_restart_and_unsent_text_is_kept_first(tmp_path: Path) -> None:
    store = Store(tmp_path / "chatui.db")
    drafts = Drafts(store)
    drafts.leave(LUNCH, "half a thought")
    drafts.keep_unsent(CLIMB, "a send that failed")
    drafts.keep_unsent(CLIMB, "an older one")  # goes before the draft
    drafts.save_all({LUNCH: "half a thought, finished"})
    store.close()

    again = Drafts(Store(tmp_path / "chatui.db"))
    again.load()
    assert again.take(LUNCH) == "half a thought, finished"
    assert again.take(CLIMB) == "an older one a send that failed"
    assert again.take(LUNCH) == ""  # taken into the composer once


def test_drafts_without_a_store_stay_in_memory() -> None:
    drafts = Drafts(None)
    drafts.leave(LUNCH, "typed")
    drafts.save_all({})
    assert drafts.get(LUNCH) == "typed"


# --- reactions -----------------------------------------------------------------------


def test_a_reaction_goes_to_the_selected_else_the_newest_from_someone_else() -> None:
    mine = message("m3", "bob")
    theirs = message("m2", "alice")
    older = message("m1", "alice")
    pending = message("m4", "alice", pending=True)
    notice = message("m5", "alice", kind="setting")
    messages = [older, theirs, mine, pending, notice]
    assert reaction_target(messages, "bob", selected=older) is older
    assert reaction_target(messages, "bob", selected=None) is theirs
    assert reaction_target(messages, "bob", selected=pending) is theirs  # cannot carry one
    assert reaction_target([mine], "bob", selected=None) is mine
    assert reaction_target([pending, notice], "bob", selected=None) is None
    unsent = message("m6", "alice", kind="deleted")
    assert reaction_target([*messages, unsent], "bob", selected=None) is theirs
    assert reaction_target([*messages, unsent], "bob", selected=unsent) is theirs


def test_recent_emoji_are_kept_in_the_profile(tmp_path: Path) -> None:
    profile = Profile(config_dir=tmp_path / "config", data_dir=tmp_path / "data")
    memory = EmojiMemory(profile)
    memory.use("🎉")
    assert memory.use("🍕")[:2] == ["🍕", "🎉"]
    assert EmojiMemory(profile).items[:2] == ["🍕", "🎉"]
    assert EmojiMemory(None).use("🍕") == ["🍕"]  # in memory only


# --- the thread's look ---------------------------------------------------------------


def thread(theme: dict | None = None) -> Thread:
    return Thread("home", "lunch", "Lunch", ("alice", "bob"), theme=theme)


def test_theme_by_name_any_case_or_a_unique_prefix() -> None:
    looks = ThreadLooks(None, {"COLORTERM": "truecolor"})
    assert looks.find("sunset").name == "Sunset"
    assert looks.find("Mid").name == "Midnight"
    assert looks.find(None).name == "Default"
    refused = looks.find("m")  # Midnight, Mono
    assert isinstance(refused, str) and "No single theme called 'm'" in refused


def test_the_users_default_theme_draws_unthemed_threads(tmp_path: Path) -> None:
    profile = Profile(config_dir=tmp_path, data_dir=tmp_path / "data")
    profile.config_file.write_text('[display]\ntheme = "Ocean"\nemoji = "big"\n')
    looks = ThreadLooks(profile, {"COLORTERM": "truecolor"})
    problems = looks.load()
    assert [p.title for p in problems] == ["A setting could not be read"]
    assert "[display] emoji" in problems[0].message
    assert looks.theme_of(thread()).name == "Ocean"
    sunset = looks.find("Sunset")
    assert not isinstance(sunset, str)
    assert looks.theme_of(thread(sunset.to_wire())).name == "Sunset"  # shared wins
    assert looks.quick_reaction(thread(sunset.to_wire())) == sunset.quick_reactions[0]


def test_the_view_is_restyled_only_when_the_look_changes() -> None:
    looks = ThreadLooks(None, {"COLORTERM": "truecolor"})
    plain = thread()
    assert looks.restyle_for(plain) is not None
    assert looks.restyle_for(plain) is None  # drawn in it already
    looks.forget_styled()  # a preview drew something else
    assert looks.restyle_for(plain) is not None


def test_a_theme_name_that_is_not_one_suggests_close_names() -> None:
    looks = ThreadLooks(None, {"COLORTERM": "truecolor"})
    refused = looks.find("Sunst")
    assert refused == "No theme called 'Sunst'; did you mean 'Sunset'?"


def test_a_default_theme_that_does_not_exist_is_reported_by_name(tmp_path: Path) -> None:
    profile = Profile(config_dir=tmp_path, data_dir=tmp_path / "data")
    profile.config_file.write_text('[display]\ntheme = "Oceen"\n')
    looks = ThreadLooks(profile, {"COLORTERM": "truecolor"})
    [problem] = looks.load()
    assert problem.title == "A setting could not be read"
    assert problem.message == (
        f"{profile.config_file}: [display] theme: no theme called 'Oceen';"
        " did you mean 'Ocean'? — the default is used."
    )
    assert looks.theme_of(thread()).name == "Default"


# --- who reacted ------------------------------------------------------------------------


def test_who_reacted_names_people_as_the_conversation_knows_them() -> None:
    thread = Thread("mx", "!club", "Book club", ("@me:x", "@bo:x"), member_names={"@bo:x": "Bo"})
    said = message("m1", "@cy:x", sender_name="Cy")  # a thread with no name for Cy
    target = message(
        "m2", "@bo:x", reactions={"👍": ("@bo:x", "@me:x", "@cy:x"), "🎉": ("@dee:x",)}
    )
    rows = who_reacted(target, "@me:x", thread, [said, target])
    assert [(row.emoji, row.names) for row in rows] == [
        ("👍", ("Bo", "you", "Cy")),
        ("🎉", ("@dee:x",)),  # no name anywhere: the id
    ]
    assert names_line(rows[0].names) == "Bo, you and Cy"
    assert names_line(("you",)) == "you"


def test_who_reacted_tells_apart_names_that_would_mislead() -> None:
    thread = Thread(
        "mx",
        "!r",
        None,
        ("@me:x",),
        member_names={"@sam:a": "Sam", "@sam:b": "sam", "@liar:x": "You"},
    )
    target = message("m1", "@sam:a", reactions={"❤️": ("@sam:a", "@sam:b", "@liar:x", "@me:x")})
    [row] = who_reacted(target, "@me:x", thread)
    assert row.names == ("Sam (@sam:a)", "sam (@sam:b)", "You (@liar:x)", "you")
    # On the reference server a username is the name: one called "you" is not me.
    [local] = who_reacted(message("m2", "al", reactions={"👍": ("you", "me")}), "me", None)
    assert local.names == ("you (you)", "you")


# --- where the "new messages" rule goes ------------------------------------------------


def sent(message_id: str, sender: str, ts: int, **kw: object) -> Message:
    return Message("home", "lunch", message_id, sender, f"text {message_id}", ts, **kw)


def lunch_thread(unread: int, last: Message | None) -> Thread:
    return Thread("home", "lunch", "Lunch", ("me", "alice"), last_message=last, unread=unread)


def test_unread_rule_goes_above_the_first_of_the_counted_messages() -> None:
    page = [
        sent("m1", "alice", 1),
        sent("m2", "me", 2),
        sent("m3", "alice", 3),  # first unread: the own message and the notice
        sent("m4", "me", 4),  # after it are not counted
        sent("m5", "alice", 5, kind="setting"),
        sent("m6", "alice", 6),
    ]
    mark = UnreadAtOpen.of(lunch_thread(2, page[-1]), "me")
    assert mark is not None
    assert mark.first_unread(page, final=False) == "m3"


def test_unread_rule_waits_for_the_newest_counted_message() -> None:
    newest = sent("m9", "alice", 9)
    mark = UnreadAtOpen.of(lunch_thread(1, newest), "me")
    assert mark is not None
    cached = [sent("m1", "alice", 1), sent("m2", "alice", 2)]
    # The cached page ends before the news: counting back from it would be wrong.
    assert mark.first_unread(cached, final=False) is None
    # Once it is in, messages that came after the thread opened (read) do not count.
    page = [*cached, newest, sent("m10", "alice", 10)]
    assert mark.first_unread(page, final=False) == "m9"
    # Never fetched (the server was down): counted back from what is there.
    assert mark.first_unread(cached, final=True) == "m2"


def test_unread_rule_goes_to_the_top_of_a_page_that_holds_fewer() -> None:
    page = [sent("m5", "alice", 5), sent("m6", "alice", 6)]
    mark = UnreadAtOpen.of(lunch_thread(30, page[-1]), "me")
    assert mark is not None
    assert mark.first_unread(page, final=False) == "m5"
    assert mark.first_unread([], final=True) is None


def test_nothing_unread_gives_no_rule() -> None:
    assert UnreadAtOpen.of(lunch_thread(0, message("m1", "alice")), "me") is None
