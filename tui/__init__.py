"""Claimscope's Textual app: reads and writes only through the ``annotate`` library."""
