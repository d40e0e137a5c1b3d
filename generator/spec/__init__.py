"""Stage 1: reading the spec (load, validate, normalize) into the IR, which
knows no output language."""
