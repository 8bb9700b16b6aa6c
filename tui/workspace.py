"""What a screen may use of the app it runs in: the store, the annotator, the labels, the
session's review order, and one way to write.

Screens read the app through this protocol and tell it things by messages
(:mod:`tui.messages`), so no screen imports the app, and the app's other parts stay its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from annotate.labels import LabelSet
from annotate.store import Store
from tui.review_order import ReviewOrder


@runtime_checkable
class Workspace(Protocol):
    """The app as its screens see it."""

    store: Store
    annotator: str
    labels: LabelSet
    #: The annotators whose work is adjudicated into ``annotator`` (empty: reading).
    adjudicating: tuple[str, ...]
    #: Why edits are refused (the database could not be written), or None.
    read_only_reason: str | None
    #: What the latest commit touched, for screens that update only that.
    last_changes: frozenset[tuple[str, int]]
    #: How pending suggestions are reviewed (order, confidence floor), for the session.
    review: ReviewOrder

    def try_write(self, change: Callable[[], object]) -> str | None:
        """Run one store write: None when it is durable, else the message to show."""
        ...


def workspace_of(app: object) -> Workspace:
    """``app`` as a :class:`Workspace` (a screen mounted in any other app is a bug)."""
    if not isinstance(app, Workspace):
        raise TypeError(f"{type(app).__name__} is not a Claimscope workspace")
    return app
