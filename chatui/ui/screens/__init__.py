"""Screens and dialogs over the main window, each imported on first use (none is
needed for the first frame):

* :mod:`.first_run` — no account linked yet: add one, the demo, or the commands;
* :mod:`.account_form` — add an account (log in or create one), or log in again;
* :mod:`.help` — keys, slash commands, what vanish mode cannot do;
* :mod:`.new_conversation` — start one, choosing the account;
* :mod:`.invite` — accept, decline or leave an invitation for later;
* :mod:`.confirm` — a yes-or-no question, the shape of the two below;
* :mod:`.confirm_quit` — quitting with messages not sent yet (they are kept);
* :mod:`.confirm_unsend` — unsending a message for everyone;
* :mod:`.vanish_menu`, :mod:`.theme_picker`, :mod:`.emoji_picker` — the open
  conversation's vanish mode, chat theme, and an emoji for it;
* :mod:`.who_reacted` — the selected message's reactions and who put each.
"""
