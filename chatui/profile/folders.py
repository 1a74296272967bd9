"""Where one chatui profile keeps its files.

A profile is a pair of folders: the config folder (``config.toml``, non-secret) and
the data folder (local cache, and token files when the user chose the file token
store). ``--config-dir`` / ``CHATUI_CONFIG_DIR`` move both under one folder, so that
tests, the demo and several identities never see each other's accounts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "chatui"
ENV_CONFIG_DIR = "CHATUI_CONFIG_DIR"


@dataclass(frozen=True)
class Profile:
    config_dir: Path
    data_dir: Path

    @classmethod
    def resolve(cls, config_dir: str | os.PathLike[str] | None = None) -> Profile:
        """The profile in force: ``config_dir`` > ``$CHATUI_CONFIG_DIR`` > platform dirs.

        With an override, the data folder is ``<config_dir>/data`` so that one folder
        holds the whole profile and deleting it forgets everything.
        """
        chosen = config_dir if config_dir else os.environ.get(ENV_CONFIG_DIR) or None
        if chosen:
            root = Path(chosen).expanduser().absolute()
            return cls(config_dir=root, data_dir=root / "data")
        # Imported here: platformdirs is only needed without an override.
        import platformdirs

        return cls(
            config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        )

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def tokens_dir(self) -> Path:
        """Token files (``--token-store file`` only); mode 0700."""
        return self.data_dir / "tokens"
