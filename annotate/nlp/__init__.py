"""Running models: loading a spaCy pipeline (``pipeline``), Claimscope's spaCy components
(``components``), pre-annotation on one machine (``preannotate``), evaluation against gold
(``evaluate``) and training (``training``).

Everything here imports spaCy; the reader never imports this package.
"""
