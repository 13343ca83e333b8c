"""A replay's spool shared among a distributed run's tasks by key hash (each key's calls stay in order in
one task), each share a file on the driver's disk, with each task's calls per second for its rows'
targets."""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any


def replay_shares(replay: dict[str, Any], tasks: int) -> list[tuple[str, Path]]:
    """Each task's `_replay` keyword (its spool's name to be replaced on its node) and the file of its
    share, beside the spool, which the caller sends to the task's node and removes (the driver's disk is
    not on the other nodes)."""
    spool = Path(replay["spool"])
    parts = [spool.with_name(f"{spool.name}.task{task}") for task in range(tasks)]
    counts: list[list[int]] = [[0] * len(replay["per_second"]) for _ in range(tasks)]
    outs = [part.open("w", encoding="utf-8") for part in parts]
    try:
        with spool.open(encoding="utf-8") as lines:
            for line in lines:
                second, _, rest = line.partition("\t")
                key = rest.partition("\t")[2].rstrip("\n")
                task = zlib.crc32(key.encode()) % tasks
                outs[task].write(line)
                counts[task][int(second)] += 1
    finally:
        for out in outs:
            out.close()
    return [
        (json.dumps(dict(replay, spool=part.name, per_second=per_second)), part)
        for part, per_second in zip(parts, counts)
    ]
