"""The screens: the document list, the reader, adjudication, and the dialogs they open."""
