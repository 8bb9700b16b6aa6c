"""Tests of annotate/nlp."""
