"""Tests of annotate/claims."""
