"""An analyst's review, below the reader: every edit as one durable, undoable transaction
(:mod:`.editing`), where each annotator left off (:mod:`.session`), and the guesses for a
claim built by hand (:mod:`.claim_guess`)."""
