"""The corpus at a glance, from the store's catalog (no texts, no spans read): one summary row
per document for the document list (:mod:`.overview`) and the counts ``claimscope stats``
prints (:mod:`.stats`)."""
