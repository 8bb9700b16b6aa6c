"""Which partition holds a record, by id: runs of consecutive ids, a few hundred numbers.

Ids are handed out in increasing order and the records one import or one pre-annotation run
makes go to the documents' partitions in document order, so the map is a short list of runs
(``[first id, partition]``, up to ``end``), searched by bisection and stored in the main file.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

#: The partition number of ids in a gap (never placed).
NOWHERE = -1


class Placement:
    """A map from record id to partition number, kept as runs of consecutive ids."""

    __slots__ = ("_end", "_parts", "_starts")

    def __init__(self, saved: dict[str, Any] | None = None) -> None:
        runs = saved["runs"] if saved else []
        self._starts: list[int] = [int(start) for start, _ in runs]
        self._parts: list[int] = [int(part) for _, part in runs]
        self._end: int = int(saved["end"]) if saved else 0
        if self._starts != sorted(self._starts) or (self._starts and self._starts[-1] >= self._end):
            raise ValueError("placement runs out of order")

    @property
    def end(self) -> int:
        """One past the highest id ever placed."""
        return self._end

    def find(self, record_id: int) -> int | None:
        """The partition of ``record_id``, or None for an id never placed."""
        if record_id >= self._end:
            return None
        index = bisect_right(self._starts, record_id) - 1
        if index < 0 or self._parts[index] == NOWHERE:
            return None
        return self._parts[index]

    def place(self, record_id: int, part: int) -> None:
        """Record that ``record_id`` lives in ``part``."""
        if record_id >= self._end:
            if record_id > self._end and self._starts:
                self._append(self._end, NOWHERE)
            if not self._parts or self._parts[-1] != part:
                self._append(record_id, part)
            self._end = record_id + 1
            return
        index = bisect_right(self._starts, record_id) - 1
        if index < 0:  # before the first run
            pieces = [(record_id, part)]
            if record_id + 1 < self._starts[0]:
                pieces.append((record_id + 1, NOWHERE))
            self._splice(0, 0, pieces)
            return
        start, current = self._starts[index], self._parts[index]
        if current == part:
            return
        end = self._starts[index + 1] if index + 1 < len(self._starts) else self._end
        pieces = [(start, current)] if start < record_id else []
        pieces.append((record_id, part))
        if record_id + 1 < end:
            pieces.append((record_id + 1, current))
        self._splice(index, index + 1, pieces)

    def _append(self, start: int, part: int) -> None:
        self._starts.append(start)
        self._parts.append(part)

    def _splice(self, begin: int, stop: int, pieces: list[tuple[int, int]]) -> None:
        self._starts[begin:stop] = [start for start, _ in pieces]
        self._parts[begin:stop] = [part for _, part in pieces]

    def to_dict(self) -> dict[str, Any]:
        """The runs as JSON, neighbours in one partition merged."""
        runs: list[list[int]] = []
        for start, part in zip(self._starts, self._parts, strict=True):
            if not runs or runs[-1][1] != part:
                runs.append([start, part])
        return {"runs": runs, "end": self._end}
