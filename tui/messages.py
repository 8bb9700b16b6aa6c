"""What screens tell the app: they post these messages and never import the app."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class OpenDocument(Message):
    """The analyst chose ``doc_id`` in the list: open it in the reader."""

    doc_id: str


@dataclass
class DocumentShown(Message):
    """The reader shows ``doc_id``: the list keeps its place there, also across restarts."""

    doc_id: str


@dataclass
class DocumentDone(Message):
    """The analyst marked ``doc_id`` done and wants the next document."""

    doc_id: str


@dataclass
class OpenClaim(Message):
    """The analyst chose a claim (in the Sources screen): open the reader on it."""

    doc_id: str
    claim_id: int
