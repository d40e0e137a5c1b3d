"""What a spec change does to the generated API: surfaces, diffs, release versions."""
