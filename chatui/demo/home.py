"""The demo's own folder: its two server databases, its tokens and a note that it is seeded.

Everything the demo keeps lives under ``<data dir>/demo`` and nowhere else: the
demo's accounts are never written to the user's config, and its tokens never go
to the user's keyring. They sit in ``tokens/`` here with mode 0600, through the
same file token store ``chatui account add --token-store file`` uses, so one code
path keeps every token file private.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path

from chatui.core.models import AccountConfig
from chatui.demo.networks import Network
from chatui.profile import tokens
from chatui.profile.folders import Profile

STATE_VERSION = 1
"""Bump when the seed data changes shape: an older demo folder is then reseeded."""


class DemoHome:
    """The layout of one demo folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        # A profile rooted here makes the file token store write <root>/tokens/.
        self.profile = Profile(config_dir=self.root, data_dir=self.root)

    @classmethod
    def for_profile(cls, profile: Profile) -> DemoHome:
        return cls(profile.data_dir / "demo")

    @property
    def state_file(self) -> Path:
        return self.root / "demo.json"

    def db_path(self, network: Network) -> Path:
        return self.root / f"{network.key}.db"

    # --- seeded or not ----------------------------------------------------------------

    def seeded_username(self) -> str | None:
        """The user's demo name if this folder holds a complete seeded demo, else None."""
        try:
            state = json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
            return None
        username = state.get("username")
        return username if isinstance(username, str) and username else None

    def mark_seeded(self, username: str) -> None:
        """Written last, so a seeding cut short is redone from scratch next time."""
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"version": STATE_VERSION, "username": username}), "utf-8")
        tmp.replace(self.state_file)

    def reset(self) -> None:
        """Forget the whole demo: databases, tokens, state."""
        if self.root.is_symlink() or self.root.is_file():
            self.root.unlink()
        elif self.root.exists():
            shutil.rmtree(self.root)

    def prepare(self) -> None:
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            self.root.chmod(0o700)  # the databases hold password hashes and tokens

    # --- tokens -----------------------------------------------------------------------

    def store_token(self, account: AccountConfig, token: str) -> None:
        tokens.store_token(self.profile, account, token)

    def load_token(self, account: AccountConfig) -> str:
        return tokens.load_token(self.profile, account)

    def token_path(self, account: AccountConfig) -> Path:
        return tokens.token_path(self.profile, account)
