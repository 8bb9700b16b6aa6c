"""Reading articles in: the seed format and plain text (:mod:`.seed`), JSON records
(:mod:`.json_records`), brat standoff with its attributions (:mod:`.brat`), where the inputs
are and how each is read (:mod:`.sources`), what they are read into (:mod:`.records`), and the
all-or-nothing import into a store (:mod:`.importing`)."""
