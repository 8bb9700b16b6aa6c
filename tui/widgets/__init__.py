"""The widgets the screens are built of: the article view, the document table, safe text."""
