"""Working as a team: agreement between annotators (coefficients and span/claim agreement).

No UI here: the CLI and the reader call into it.
"""
