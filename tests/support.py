"""Shared test helpers.

The project rule: a test that needs a real part (tmux, a Secret Service, Synapse)
skips on a developer machine without it, but **fails** when ``CI`` is set, so that
a missing install step can never hide behind a skip counted as a pass.
"""

from __future__ import annotations

import os

import pytest


def require(available: bool, what: str) -> None:
    """Skip (or, under CI, fail) the calling test unless ``available``."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required under CI but is missing", pytrace=False)
    pytest.skip(f"{what} is not available on this machine")
