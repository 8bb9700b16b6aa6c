"""The one tokenizer: spaCy's English rules, run in pure Python.

The reader snaps selections to tokens and every export reports spans as token indices; both
must cut the text where ``spacy.blank("en")`` (and so a model trained on the export) cuts it.
The reader must start without loading spaCy (1.5 s), so the rules are shipped as data
(``en.json``, taken from spaCy by :mod:`annotate.tokenizing.rules`) and run by
:mod:`annotate.tokenizing.engine`, a port of spaCy's algorithm. A test checks the port gives
spaCy's tokens on every shipped text, and that the data matches the installed spaCy.
"""

from annotate.tokenizing.engine import RuleTokenizer, TokenBounds, english

__all__ = ["RuleTokenizer", "TokenBounds", "english"]
