"""Who said what across the corpus: the source ledger (:mod:`annotate.ledger.sources`)."""
