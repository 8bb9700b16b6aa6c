"""The encoder attribution model (the default): a fine-tuned MiniLM tagging the roles as a spaCy
component (:mod:`.roles`), how its tuned weights are stored (:mod:`.weights`: differences from
the installed encoder, in 8 bits), and how it is trained (:mod:`.training`:
``train-claims --encoder``)."""
