"""Files handed to upload methods.

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from __future__ import annotations

import os
from pathlib import Path

from zoho_bulk_core.errors import LocalFileError

FileSource = str | os.PathLike[str] | bytes | tuple[str, bytes]
"""A file to upload: a path, its bytes, or (file name, bytes)."""


def read_file_source(source: FileSource) -> tuple[str, bytes]:
    """The file name and content of ``source``, read whole so that a retried
    upload sends the same bytes.

    Raises LocalFileError (also an OSError) when the path names no file, a
    folder, or a file this process may not read.
    """
    if isinstance(source, tuple):
        name, content = source
        return name, content
    if isinstance(source, bytes):
        return "upload.zip", source
    path = Path(source)
    try:
        return path.name, path.read_bytes()
    except OSError as exc:
        raise LocalFileError("cannot read the file to upload", exc) from None
