"""Claimscope's core: document model, store, import/export, NLP and the CLI (no Textual here)."""

__version__ = "0.1.0"
