"""Stage 3: formatting, the content cache, reuse, the manifest and the atomic write."""
