"""Tests of annotate/team."""
