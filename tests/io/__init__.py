"""Tests of reading articles in (annotate/io)."""
