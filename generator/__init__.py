"""zoho-bulkgen: a normalized spec of Zoho's Bulk APIs and the generator that builds
JSON Schemas, pydantic models and typed client packages from it.

The pipeline reads top to bottom, one module a stage:
load -> validate -> normalize -> emit_schemas / emit_models / emit_packages -> format -> write.
"""

__version__ = "0.1.0"
