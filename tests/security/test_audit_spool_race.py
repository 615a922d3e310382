"""The file spool under a flush that claims the file while writers append to it."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

from apps.security.services.audit import _spool_file_append, _spool_file_read_claimed


def test_no_line_is_lost_to_a_concurrent_claim(tmp_path: Path) -> None:
    # Writers append while a flusher keeps claiming the file (rename, read, delete), as
    # audit_spool_flush does: every line must come back exactly once.
    path = tmp_path / "audit-1.jsonl"
    writers, per_writer = 4, 300
    read: list[str] = []
    done = threading.Event()

    def claim_once() -> None:
        claimed = path.with_name(f"{path.name}.{uuid.uuid4().hex}.claimed")
        try:
            path.rename(claimed)
        except FileNotFoundError:
            return
        read.extend(_spool_file_read_claimed(claimed))
        claimed.unlink()

    def flusher() -> None:
        while not done.is_set():
            claim_once()

    def writer(number: int) -> None:
        for i in range(per_writer):
            _spool_file_append(path, f"{number}-{i}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    claiming = threading.Thread(target=flusher)
    claiming.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    claiming.join()
    claim_once()  # what the last writes left

    expected = {f"{n}-{i}" for n in range(writers) for i in range(per_writer)}
    assert len(read) == len(expected)
    assert set(read) == expected
