"""Stage 2: the output targets, each deriving its own names from the IR."""
