"""Checking payloads against the generated JSON Schemas (the validate and schema commands)."""
