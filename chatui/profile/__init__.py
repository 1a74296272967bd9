"""One person's chatui profile: where its files are and what they hold.

A profile is a config folder (``config.toml``) and a data folder (the store,
token files, the lock); ``--config-dir`` keeps profiles apart. Modules:

* :mod:`.folders` — :class:`~chatui.profile.folders.Profile`: the two folders;
* :mod:`.files` — atomic writes and strict TOML reading, for every file below;
* :mod:`.config` — the linked accounts in ``config.toml``;
* :mod:`.display_settings` — the ``[display]`` table (emoji, default chat theme);
* :mod:`.tokens` — access tokens in the keyring, or in a 0600 file if asked;
* :mod:`.labels` — default ids, labels and colors for new accounts;
* :mod:`.recent_emoji` — the recently used emoji, offered first;
* :mod:`.lock` — one running app per profile;
* :mod:`.linking` — linking an account, step by step: what ``account add`` and
  the app's account form both run (log in or register, keep the token, write
  ``config.toml``), and logging in again for a refused token;
* :mod:`.command` — ``chatui account add|list|remove`` (a CLI command);
* :mod:`.registration` — what ``account add --register`` adds: the new password
  asked twice, the server's refusals in words.
"""
