"""``python -m annotate`` runs the claimscope command."""

from annotate.cli import main

main()
