"""An incremental parser for ``text/event-stream`` (Server-Sent Events).

It follows the WHATWG "event stream interpretation" rules, because a stream read
from a socket arrives in arbitrary pieces: a chunk may end in the middle of a
UTF-8 sequence, in the middle of a line, or between the ``\\r`` and ``\\n`` of a
CRLF. The parser keeps that state between ``feed`` calls, so callers can hand it
whatever the transport produced.

Pure and synchronous, with no I/O: the adapter owns the connection, this module
owns only the text format, which keeps it trivially unit-testable.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One dispatched event.

    ``id`` is the stream's last event id *at dispatch time*: per the spec it
    carries over from earlier events when this one has no ``id:`` line (None while
    the stream has never sent one). ``retry`` is the reconnection delay in ms the
    server asked for with this event, if any.
    """

    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None


class SSEParser:
    """Bytes (or text) in, :class:`ServerSentEvent` objects out.

    ``last_event_id`` and ``retry`` reflect everything seen so far, including
    events that were not dispatched (an ``id:`` line without data still moves the
    resume point, which is how a server can tell a client where "now" is).
    ``last_event_id`` moves only when a block is complete (its blank line), as the
    spec says: a stream cut between an event's ``id:`` line and its end must not
    move the resume point past an event the client never received.
    ``comments`` counts comment lines, such as keep-alive heartbeats.
    """

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._skip_lf = False  # the previous chunk ended in "\r": a leading "\n" is its pair
        self._at_start = True  # a UTF-8 BOM is only dropped at the very start
        self._data: list[str] = []
        self._event = ""
        self._retry_pending: int | None = None
        self._id_buffer: str | None = None  # the id of the block being read
        self.last_event_id: str | None = None
        self.retry: int | None = None
        self.comments = 0

    # --- input ---------------------------------------------------------------------

    def feed(self, chunk: bytes | str) -> list[ServerSentEvent]:
        """Consume one piece of the stream; return the events it completed."""
        text = self._decoder.decode(chunk) if isinstance(chunk, bytes) else chunk
        if not text:
            return []
        if self._at_start:
            self._at_start = False
            if text.startswith("\ufeff"):
                text = text[1:]
        if self._skip_lf:
            self._skip_lf = False
            if text.startswith("\n"):
                text = text[1:]
        self._buffer += text
        events: list[ServerSentEvent] = []
        start = 0
        buffer = self._buffer
        length = len(buffer)
        while start < length:
            cr = buffer.find("\r", start)
            lf = buffer.find("\n", start)
            if cr < 0 and lf < 0:
                break
            if cr < 0 or (0 <= lf < cr):
                end, after = lf, lf + 1
            elif cr + 1 < length:
                end, after = cr, cr + 2 if buffer[cr + 1] == "\n" else cr + 1
            else:  # "\r" as the very last character: its "\n" may be in the next chunk
                end, after = cr, cr + 1
                self._skip_lf = True
            event = self.feed_line(buffer[start:end])
            if event is not None:
                events.append(event)
            start = after
        self._buffer = buffer[start:]
        return events

    def feed_line(self, line: str) -> ServerSentEvent | None:
        """Process one complete line (without its terminator)."""
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            self.comments += 1
            return None
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:  # the spec ignores ids containing NUL
                self._id_buffer = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self.retry = self._retry_pending = int(value)
        # Any other field name is ignored, as the spec requires.
        return None

    def close(self) -> list[ServerSentEvent]:
        """The stream ended: an unterminated last event is discarded (per the spec)."""
        tail = self._decoder.decode(b"", final=True)
        if tail:
            self._buffer += tail
        self._buffer = ""
        self._data.clear()
        self._event = ""
        return []

    # --- output --------------------------------------------------------------------

    def _dispatch(self) -> ServerSentEvent | None:
        self.last_event_id = self._id_buffer
        retry, self._retry_pending = self._retry_pending, None
        if not self._data:
            self._event = ""
            return None
        event = ServerSentEvent(
            event=self._event or "message",
            data="\n".join(self._data),
            id=self.last_event_id,
            retry=retry,
        )
        self._data = []
        self._event = ""
        return event
