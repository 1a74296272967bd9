"""The SSE parser against the awkward ways a stream arrives from a socket."""

from __future__ import annotations

import pytest

from chatui.backends.sse import ServerSentEvent, SSEParser


def feed_all(chunks: list[bytes | str]) -> tuple[SSEParser, list[ServerSentEvent]]:
    parser = SSEParser()
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events.extend(parser.feed(chunk))
    return parser, events


def test_simple_event_with_type_and_id() -> None:
    _, events = feed_all([b'id: 7\nevent: message\ndata: {"a": 1}\n\n'])
    assert events == [ServerSentEvent(event="message", data='{"a": 1}', id="7")]


def test_multi_line_data_is_joined_with_newlines() -> None:
    _, events = feed_all([b"data: first\ndata: second\ndata\n\n"])
    assert [e.data for e in events] == ["first\nsecond\n"]


def test_comments_are_not_events_but_are_counted() -> None:
    parser, events = feed_all([b": keep-alive\n\n: again\n\ndata: x\n\n"])
    assert [e.data for e in events] == ["x"]
    assert parser.comments == 2


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_every_line_ending(newline: bytes) -> None:
    raw = newline.join([b"id: 1", b"data: a", b"", b"data: b", b"", b""])
    _, events = feed_all([raw])
    assert [(e.id, e.data) for e in events] == [("1", "a"), ("1", "b")]


def test_crlf_split_across_chunks_is_one_line_break() -> None:
    # If "\r" and "\n" were taken as two breaks, the empty line between them would
    # dispatch "a" early and split the event in two.
    _, events = feed_all([b"data: a\r", b"\ndata: b\r\n\r\n"])
    assert [e.data for e in events] == ["a\nb"]


def test_byte_by_byte_including_split_utf8() -> None:
    raw = 'id: 42\nevent: thread\ndata: {"title": "café ☕ 🐍"}\n\n'.encode()
    _, events = feed_all([raw[i : i + 1] for i in range(len(raw))])
    assert events == [ServerSentEvent(event="thread", data='{"title": "café ☕ 🐍"}', id="42")]


def test_partial_event_waits_for_the_blank_line() -> None:
    parser = SSEParser()
    assert parser.feed(b"data: hal") == []
    assert parser.feed(b"f\n") == []
    assert [e.data for e in parser.feed(b"\n")] == ["half"]


def test_id_carries_over_and_id_only_block_moves_the_cursor() -> None:
    parser, events = feed_all([b"id: 5\ndata: a\n\ndata: b\n\nid: 9\n\n"])
    assert [e.id for e in events] == ["5", "5"]
    assert parser.last_event_id == "9"  # no event, but the resume point moved


def test_id_with_nul_is_ignored() -> None:
    parser, events = feed_all([b"id: 3\n\nid: x\x00y\ndata: d\n\n"])
    assert events[0].id == "3"
    assert parser.last_event_id == "3"


def test_retry_field() -> None:
    parser, events = feed_all([b"retry: 2500\ndata: a\n\nretry: soon\ndata: b\n\n"])
    assert [e.retry for e in events] == [2500, None]
    assert parser.retry == 2500


def test_field_syntax_details() -> None:
    # Only one leading space is stripped; no colon means an empty value; unknown
    # fields are ignored; the BOM at the very start is dropped.
    _, events = feed_all([b"\xef\xbb\xbfdata:  two spaces\nfoo: bar\nevent\ndata:x\n\n"])
    assert events == [ServerSentEvent(event="message", data=" two spaces\nx")]


def test_event_type_resets_between_events() -> None:
    _, events = feed_all([b"event: ping\ndata: 1\n\ndata: 2\n\n"])
    assert [e.event for e in events] == ["ping", "message"]


def test_garbage_lines_do_not_break_the_stream() -> None:
    _, events = feed_all([b"\xff\xfe not utf8\n:::\n\n", b"data: ok\n\n"])
    assert [e.data for e in events] == ["ok"]


def test_unterminated_tail_is_discarded_at_close() -> None:
    parser = SSEParser()
    assert parser.feed(b"data: never finished") == []
    assert parser.close() == []
