"""The app's own widgets, each drawing one part of the main screen.

* :mod:`.thread_list` — the merged thread list (Line API: thousands of rows);
* :mod:`.message_view` — the open conversation (Line API), with
  :mod:`.message_blocks` (cached, wrapped message blocks) and :mod:`.message_paint`
  (overlays painted per frame: selection, countdowns);
* :mod:`.composer` — the message box, with :mod:`.emoji_complete` (``:name``
  suggestions) and :mod:`.ordered_keys` (keys applied in the order typed);
* :mod:`.status` — the thread header, the connection bar and the key bar;
* :mod:`.reactions` — reaction chips under a message.
"""
