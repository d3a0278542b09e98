"""Content-addressed file store for payment proofs, dispute evidence and certificates."""

from __future__ import annotations

from pathlib import Path


class FileStore:
    """Bytes live at ``<root>/<sha256[:2]>/<sha256>``; metadata and access rules live in
    the ``stored_files`` table and the services, never in the path."""

    def __init__(self, root: Path) -> None:
        self.root = root
