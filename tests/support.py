"""Shared test helpers.

The project rule: a test that needs a real part (tmux, a Secret Service, Synapse)
skips on a developer machine without it, but **fails** when ``CI`` is set, so that
a missing install step can never hide behind a skip counted as a pass.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.hostile.terminal import TerminalProcess

_NOT_FOR_THE_APP = ("CHATUI_CONFIG_DIR", "NO_COLOR", "COLORTERM", "TEXTUAL", "TEXTUAL_FILTERS")
"""What the test's own environment must not pass on to the app under test: another
profile, or settings that change what it draws."""


def require(available: bool, what: str) -> None:
    """Skip (or, under CI, fail) the calling test unless ``available``."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required under CI but is missing", pytrace=False)
    pytest.skip(f"{what} is not available on this machine")


def app_env(base: Mapping[str, str] | None = None, **changes: str) -> dict[str, str]:
    """An environment for the real app on a pty: ``base`` (default: this process's)
    without what would pick another profile or change its colors, an xterm with
    256 colors, and ``changes`` on top."""
    env = {k: v for k, v in (os.environ if base is None else base).items()}
    for name in _NOT_FOR_THE_APP:
        env.pop(name, None)
    env["TERM"] = "xterm-256color"
    env.update(changes)
    return env


def chatui_on_pty(
    config_dir: Path | str | None, *args: str, env: Mapping[str, str], **size: int
) -> TerminalProcess:
    """The real ``chatui --config-dir DIR ARGS`` on a pseudo-terminal (``size``:
    ``columns``, ``rows``); the caller closes it. With ``config_dir`` None there is
    no ``--config-dir``: the profile is the platform's, as ``env`` places it."""
    require(hasattr(os, "openpty"), "a pseudo-terminal (os.openpty)")
    require(importlib.util.find_spec("pyte") is not None, "the pyte terminal emulator")
    from tests.hostile.terminal import TerminalProcess

    profile = [] if config_dir is None else ["--config-dir", str(config_dir)]
    argv = [sys.executable, "-m", "chatui", *profile, *args]
    return TerminalProcess(argv, env=env, **size)
