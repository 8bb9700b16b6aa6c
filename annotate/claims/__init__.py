"""An explainable, rule-based claim detector over spaCy's dependency parse: one module per
rule family (``quotes``, ``reporting``, ``according_to``, ``colon``, ``nominal``, ``quotative``,
``hedges``, ``statistics``), the
shared helpers (``parse``; who speaks: ``speakers``; what a content is: ``contents``), the cue
lexicon (``lexicon``), pronoun resolution
(``pronouns``), the detector that runs them in order (``detector``) and the spaCy component
around it, configurable and serialisable (``component``).

Every claim carries its content, source and cue offsets, a kind, the id of the rule that fired
and a one-line explanation of why. Rules, in the order they claim a reporting verb:

- ``quote.*`` — direct quotations (also across sentences; an unclosed quote runs to the end of
  its paragraph) attributed by a reporting verb just outside the quote marks;
- ``speech_verb.*`` — a reporting or cognition verb (say, tell, add, report, claim, warn,
  caution, believe, announce, …) whose subject is the source and whose clausal complement is
  the content, in either order (``X said Y`` / ``Y, X said`` / ``Y, said X``);
- ``according_to`` — ``according to X``, when no reporting verb already carries the claim, or
  around a named person's reported claim (a claim holding theirs);
- ``colon.*`` — ``The ministry said: …`` and headlines ``Obama: …``;
- ``noun.that`` / ``adjective.that`` — ``his claim that …``, ``I am sure that …``;
- ``quotative.like`` — ``I was like, let's do it``;
- ``hedge.*`` — unattributed assertions: ``concerns have been growing that …``, ``it is
  believed that …``, ``reportedly``;
- ``statistic.quantity`` — a sentence resting on an approximate number, percentage or amount
  that no other claim covers.

Pronoun sources (``he added``) are resolved to the previous named source and marked resolved.
Quantities (CARDINAL / PERCENT / MONEY / QUANTITY, with "over", "nearly", "at least", …) that
fall inside a claim are recorded on it.

The package itself imports nothing, so the reader can read the lexicon without loading spaCy:
import the detector from ``annotate.claims.detector``, the component from ``.component`` and
its results from ``.detected``.
"""
