"""The pure core: the model and the rules every other layer shares.

Imports no other chatui layer and no Textual (an import-linter contract). Modules:

* :mod:`.models` — the data model (accounts, threads, messages, vanish settings)
  and the one vanish parser;
* :mod:`.wire` — the reference server's API v1 wire types (msgspec Structs), shared
  by the server and the local adapter;
* :mod:`.inbox` — the merged inbox, newest activity first;
* :mod:`.clock` — the one wall clock (UTC epoch milliseconds);
* :mod:`.vanish` — when a disappearing message must go;
* :mod:`.notices` — the words for shared-setting changes and vanish durations;
* :mod:`.mentions` — the one ``@name`` mention rule (server, Matrix, reading);
* :mod:`.fold` — text folded for search matching (case and accents away), and a
  query's terms;
* :mod:`.themes`, :mod:`.contrast` — chat themes and readable colors at any depth;
* :mod:`.emoji_names` — emoji by name (shortcodes, completion, the picker's list);
* :mod:`.emoji_width` — emoji drawn at one width by every terminal (stand-ins);
* :mod:`.sanitize` — untrusted text made safe for a terminal;
* :mod:`.links` — web links in drawn text, and which may be opened (http(s) only);
* :mod:`.chat_words` — words the conversation and the list share ("message
  deleted", "alice is typing…");
* :mod:`.timefmt`, :mod:`.network_names` — short times and network names for display.
"""
