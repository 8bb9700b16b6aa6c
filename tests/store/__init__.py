"""Tests of annotate/store."""
