"""Tests of annotate/ledger."""
