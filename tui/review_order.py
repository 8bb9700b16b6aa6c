"""The order pending suggestions are reviewed in, and the confidence floor below which pending
claims are set aside (:meth:`tui.widgets.article.ArticleView.claim_shown`): the reader's ``o`` and
``<`` / ``>`` keys.

Both live on the app for the session, so the next document (``D``) is reviewed the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

ORDERS = ("document", "least confident first", "most confident first")
#: The floors ``>`` steps through (``<`` steps back); 0 shows everything.
FLOORS = (0.0, 0.3, 0.5, 0.7, 0.9)


@dataclass(slots=True)
class ReviewOrder:
    order: str = ORDERS[0]
    floor: float = 0.0

    def next_order(self) -> str:
        self.order = ORDERS[(ORDERS.index(self.order) + 1) % len(ORDERS)]
        return self.order

    def step_floor(self, direction: int) -> float:
        index = max(i for i, floor in enumerate(FLOORS) if floor <= self.floor)
        self.floor = FLOORS[min(max(index + direction, 0), len(FLOORS) - 1)]
        return self.floor

    def rank(self, confidence: float | None) -> float:
        """Where a suggestion with ``confidence`` comes in the order (lower first); those with
        none (a model's entities, people's work) come after every scored one."""
        if self.order == ORDERS[0]:
            return 0.0
        if confidence is None:
            return 2.0
        return confidence if self.order == ORDERS[1] else 1.0 - confidence
