"""Shared runtime of the generated Zoho Bulk API clients.

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from zoho_bulk_core.errors import ApiError, ZohoBulkError
from zoho_bulk_core.hosts import DATA_CENTERS, DataCenter
from zoho_bulk_core.models import STRICT, BulkModel
from zoho_bulk_core.spec_data import PACKAGE_VERSION

__all__ = [
    "DATA_CENTERS",
    "STRICT",
    "ApiError",
    "BulkModel",
    "DataCenter",
    "ZohoBulkError",
]
__version__ = PACKAGE_VERSION
