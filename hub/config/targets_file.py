"""Write a threshold change into the configuration file: validated first, then atomic.

Used by ``panneau targets set`` and the hub's ``set_target`` frame. The new text must load
as a whole (:func:`panneau.hub.config.parse_config`, every rule of ``panneau config check``):
a bad value raises :class:`~panneau.hub.config.ConfigError` with the reasons and the file is
left as it was. The file is replaced in one ``os.replace`` (a reader sees the old text or
the new one, never half of it), keeping its permissions.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from panneau.hub.config.edit import ThresholdChange, set_threshold
from panneau.hub.config.load import parse_config, read_config_text
from panneau.hub.config.schema import Config

__all__ = ["change_threshold_file"]


def change_threshold_file(path: str | Path, scope: str, kpi: str, changes: dict[str, Any],
                          registry: Any = None,
                          before_write: Callable[[Config], None] | None = None
                          ) -> ThresholdChange:
    """Set ``changes`` on ``kpi``'s threshold for ``scope`` in the file at ``path``;
    ``before_write(config)`` (the changed file's) runs before anything is written: what it
    raises leaves the file as it was."""
    path = Path(path)
    change = set_threshold(read_config_text(path), scope, kpi, changes)
    config = parse_config(change.text, str(path), registry)  # ConfigError: nothing written
    if before_write is not None:
        before_write(config)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(change.text)
        os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return change
