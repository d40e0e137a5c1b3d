"""The Python target: packages, models, client views, names and reserved words."""
