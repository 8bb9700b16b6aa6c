"""Tests of the Textual app (tui/): Pilot, snapshots and the real command in tmux."""
