"""zoho-bulkgen: a normalized spec of Zoho's Bulk APIs and the generator that builds
JSON Schemas, pydantic models and typed client packages from it.

The pipeline (generator/pipeline.py) runs the stages in order, one subpackage
each: spec (load -> validate -> normalize, giving the IR) -> targets (JSON
Schemas, Python models and packages, OpenAPI, docs) -> output (format, reuse,
manifest, write).
"""

__version__ = "0.1.0"
