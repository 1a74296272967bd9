"""The main window's features as plain objects: state and rules, no Textual.

The main screen (chatui.ui.main_screen) owns the keys, the message handlers and
the widgets; for each feature with rules of its own it asks one of these, which
can be built and tested without an app:

* :mod:`.seen` — what the user has seen of the open thread (starts vanish timers);
* :mod:`.drafts` — unsent text per conversation, kept across restarts;
* :mod:`.looks` — the chat theme catalog, the ``[display]`` settings and the open
  thread's styles;
* :mod:`.reactions` — which message a reaction goes to, and the recent emoji;
* :mod:`.reacted` — who put each reaction on a message, by name.
* :mod:`.unread` — which message the "new messages" rule goes above when a
  conversation with unread messages opens.
"""
