"""Reading vendor reference pages and OpenAPI documents: extract, drafts, drift."""
