"""Which message the "new messages" rule goes above when a conversation opens.

The Session knows how many messages of a thread are unread (the server counts
them: others' messages after the read marker, setting notices not included), not
which ones, and it zeroes the count as the thread opens. So the main screen takes
the count, and the thread's newest message (the last one counted), from the
list's :class:`~chatui.core.models.Thread` just before it opens the thread
(:meth:`UnreadAtOpen.of`), and asks here which loaded message is the first
unread one once the loaded messages reach that newest one: the cached page shown
while the server answers may end before it, and counting back from its end
would put the rule on messages read long ago.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chatui.core.models import Message, Thread, ThreadKey


def counts_as_unread(message: Message, me: str) -> bool:
    """As the server counts: not the user's own, not a local echo, not a notice of a
    changed setting."""
    return message.sender != me and not message.pending and message.kind != "setting"


@dataclass(frozen=True, slots=True)
class UnreadAtOpen:
    """A thread's unread count at the moment it was opened, and what it counted up to."""

    key: ThreadKey
    count: int
    me: str
    newest_id: str | None
    """The thread's newest message when it was opened: the last one counted."""
    newest_ts: int

    @classmethod
    def of(cls, thread: Thread, me: str) -> UnreadAtOpen | None:
        """What ``thread`` (as the list has it, before the Session zeroes its count)
        says is unread; None when nothing is."""
        if thread.unread <= 0:
            return None
        last = thread.last_message
        return cls(
            thread.key,
            thread.unread,
            me,
            last.message_id if last is not None else None,
            last.ts if last is not None else 0,
        )

    def first_unread(self, messages: Sequence[Message], *, final: bool) -> str | None:
        """The id of the first unread message among ``messages`` (oldest first).

        None while that cannot be told yet: the loaded messages do not reach the
        newest one counted, and ``final`` is false (the thread's newest page is
        still on its way). With ``final`` the loaded messages are all there will
        be: the count is taken back from the newest of them not newer than the
        one counted. Messages that arrived after the thread was opened are read
        already (it was open): they are never counted. If the loaded page holds
        fewer unread messages than the count, the first unread one is older than
        the page, and the rule goes at the top of the loaded page instead.
        """
        if not messages:
            return None
        end = self._end(messages, final=final)
        if end is None:
            return None
        left = self.count
        for index in range(end, -1, -1):
            if counts_as_unread(messages[index], self.me):
                left -= 1
                if left == 0:
                    return messages[index].message_id
        # The first unread message is not in the loaded page: the page's top.
        return messages[0].message_id

    def _end(self, messages: Sequence[Message], *, final: bool) -> int | None:
        """The index of the newest message counted, or None to wait for more."""
        if self.newest_id is not None:
            for index in range(len(messages) - 1, -1, -1):
                if messages[index].message_id == self.newest_id:
                    return index
            if not final:
                return None
        for index in range(len(messages) - 1, -1, -1):
            message = messages[index]
            if not message.pending and (self.newest_id is None or message.ts <= self.newest_ts):
                return index
        return None
