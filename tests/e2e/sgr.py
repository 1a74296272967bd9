"""Read the SGR ("Select Graphic Rendition", ``CSI ... m``) parameters out of raw
terminal output, to tell whether a program asked the terminal for any color.

Why a parser and not a regular expression for ``38;2``: colors hide in several
spellings. ``CSI 1;38;5;196m`` sets bold and a 256-color foreground in one
sequence; ``CSI 38:2::255:0:0m`` is the ISO 8613-6 colon form; ``CSI 5;31m`` is
blink then red (the ``5`` is not a 256-color index there). Only a reader that
walks the parameters the way a terminal does — 38, 48 and 58 consuming the
parameters that follow them — classifies each number correctly.

Not SGR, and skipped: sequences with a private marker (``CSI > 4;1 m`` is xterm's
modifyOtherKeys, ``CSI ? ... m`` a query) or intermediate bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# ESC [ or the 8-bit CSI, parameter bytes, intermediate bytes, final byte.
_CSI = re.compile(rb"(?:\x1b\[|\x9b)([0-?]*)([ -/]*)([@-~])")

_EXTENDED = {38: "foreground", 48: "background", 58: "underline color"}


@dataclass(frozen=True)
class Attribute:
    """One SGR attribute: its code and, for 38/48/58, the color it carries."""

    code: int
    args: tuple[int | None, ...] = ()

    @property
    def is_color(self) -> bool:
        """True for anything that sets a color other than the terminal's default.

        39 (default foreground), 49 (default background) and 59 (default underline
        color) hand the choice back to the terminal, so they are not colors.
        """
        code = self.code
        return (
            30 <= code <= 37
            or 40 <= code <= 47
            or 90 <= code <= 97
            or 100 <= code <= 107
            or code in _EXTENDED
        )

    def __str__(self) -> str:
        if not self.args:
            return str(self.code)
        return ":".join("" if a is None else str(a) for a in (self.code, *self.args))


def _number(text: bytes) -> int | None:
    return int(text) if text else None


def _extended_arity(kind: int | None) -> int:
    """How many parameters follow ``38;kind`` in the semicolon form."""
    return {5: 1, 2: 3}.get(kind if kind is not None else -1, 0)


def parse_params(params: bytes) -> list[Attribute]:
    """The attributes of one SGR sequence's parameter string (between ``CSI`` and ``m``)."""
    if not params:
        return [Attribute(0)]  # CSI m is CSI 0 m
    fields = params.split(b";")
    out: list[Attribute] = []
    i = 0
    while i < len(fields):
        field = fields[i]
        i += 1
        subs = field.split(b":")
        code = _number(subs[0])
        code = 0 if code is None else code
        if len(subs) > 1:
            # Colon form: everything belongs to this one parameter (38:2::r:g:b,
            # 38:5:n, 4:3 for a curly underline).
            out.append(Attribute(code, tuple(_number(s) for s in subs[1:])))
            continue
        if code in _EXTENDED:
            kind = _number(fields[i]) if i < len(fields) else None
            arity = _extended_arity(kind)
            args = (kind, *(_number(f) for f in fields[i + 1 : i + 1 + arity]))
            i += 1 + arity
            out.append(Attribute(code, args))
            continue
        out.append(Attribute(code))
    return out


def sgr_attributes(output: bytes) -> list[Attribute]:
    """Every SGR attribute in ``output``, in order."""
    found: list[Attribute] = []
    for match in _CSI.finditer(output):
        params, intermediates, final = match.groups()
        if final != b"m" or intermediates or params[:1] in (b"<", b"=", b">", b"?"):
            continue
        found.extend(parse_params(params))
    return found


def color_attributes(output: bytes) -> list[Attribute]:
    """The SGR attributes in ``output`` that set a color."""
    return [a for a in sgr_attributes(output) if a.is_color]
