"""The Textual app (imports go down only: the session layer and below).

* :mod:`.app` — the App: the first screen, app-wide keys, the user's ``[keys]``;
* :mod:`.main_screen` — the main window: its keys, widgets and message handlers;
* :mod:`.actions` — every user action once (keys, labels, help, palette text);
* :mod:`.controllers` — the features' state and rules, without Textual;
* :mod:`.widgets` — the list, the conversation, the composer, the bars;
* :mod:`.screens` — every dialog, and the first-run screen;
* :mod:`.palette` — the command palette's providers;
* :mod:`.slash_commands` — ``/vanish``, ``/theme``, ``/react`` typed in the composer;
* :mod:`.chat_style`, :mod:`.no_color` — a chat theme as styles; no-color mode;
* :mod:`.emoji_filter` — emoji drawn at the width Textual counted, on every screen;
* :mod:`.browser` — a web link handed to the user's browser without freezing or
  garbling the screen.
"""
