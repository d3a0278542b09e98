from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from storage.files import FileStore


def test_put_is_content_addressed_and_idempotent(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    data = b"\x89PNG fake but bytes are bytes"
    sha = store.put(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert store.path(sha) == tmp_path / "files" / sha[:2] / sha
    assert store.read(sha) == data and store.exists(sha)
    assert store.put(data) == sha
    assert [p.name for p in (tmp_path / "files").rglob("*") if p.is_file()] == [sha]


def test_concurrent_writers_of_the_same_bytes_leave_one_whole_file(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    data = bytes(range(256)) * 4096
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(store.put(data))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    assert store.read(results[0]) == data
    assert not [p for p in tmp_path.rglob(".incoming-*")]


@pytest.mark.parametrize(
    "bad",
    [
        "../../etc/passwd",
        "a" * 63,
        "A" * 64,
        "g" * 64,
        "0" * 64 + "/x",
        "/" + "0" * 63,
        "",
        "0" * 62 + "/.",
    ],
)
def test_anything_but_a_sha256_is_refused(tmp_path: Path, bad: str) -> None:
    store = FileStore(tmp_path)
    with pytest.raises(ValueError):
        store.path(bad)
    with pytest.raises(ValueError):
        store.read(bad)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    with pytest.raises(FileNotFoundError):
        store.read("0" * 64)
    assert not store.exists("0" * 64)
