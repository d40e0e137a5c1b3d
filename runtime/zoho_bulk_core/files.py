"""Files handed to upload methods.

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from __future__ import annotations

import os
from pathlib import Path

from zoho_bulk_core.errors import LocalFileError
from zoho_bulk_core.requests import InvalidRequestError

FileSource = str | os.PathLike[str] | bytes | tuple[str, bytes]
"""A file to upload: a path, its bytes, or (file name, bytes)."""


def read_file_source(source: FileSource) -> tuple[str, bytes]:
    """The file name and content of ``source``, read whole so that a retried
    upload sends the same bytes.

    Raises LocalFileError (also an OSError) when the path names no file, a
    folder, or a file this process may not read; InvalidRequestError (also a
    ValueError) when ``source`` is none of the three kinds of file source.
    """
    if isinstance(source, tuple):
        if (
            len(source) == 2
            and isinstance(source[0], str)
            and isinstance(source[1], bytes | bytearray)
        ):
            return source[0], bytes(source[1])
    elif isinstance(source, bytes | bytearray):
        return "upload.zip", bytes(source)
    elif isinstance(source, str | os.PathLike):
        try:
            path = Path(source)
        except TypeError:  # a PathLike of bytes
            pass
        else:
            try:
                return path.name, path.read_bytes()
            except OSError as exc:
                raise LocalFileError("cannot read the file to upload", exc) from None
    raise InvalidRequestError(
        "file to upload",
        [
            (
                "",
                f"give a path, the bytes, or (file name, bytes), not {type(source).__name__}",
            )
        ],
    )
