"""Shared runtime of the generated Zoho Bulk API clients.

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from zoho_bulk_core.errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    LocalFileError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
    UnexpectedAnswerError,
    UnexpectedResponseError,
    UnsafeUrlError,
    ZohoBulkError,
)
from zoho_bulk_core.hosts import DATA_CENTERS, DataCenter
from zoho_bulk_core.models import STRICT, BulkModel
from zoho_bulk_core.notifications import CallbackBodyError
from zoho_bulk_core.progress import MissingExtraError, ProgressBar, ProgressEvent
from zoho_bulk_core.requests import InvalidRequestError
from zoho_bulk_core.results import PagingError, ResultFileError
from zoho_bulk_core.retry import RetryPolicy
from zoho_bulk_core.spec_data import PACKAGE_VERSION
from zoho_bulk_core.transport import DownloadLimitError
from zoho_bulk_core.validation import PayloadError
from zoho_bulk_core.waiters import JobFailedError, WaitPolicy, WaitTimeoutError

__all__ = [
    "DATA_CENTERS",
    "STRICT",
    "ApiError",
    "AuthenticationError",
    "BadRequestError",
    "BulkModel",
    "CallbackBodyError",
    "ConfigurationError",
    "DataCenter",
    "DownloadLimitError",
    "InvalidRequestError",
    "JobFailedError",
    "LocalFileError",
    "MissingExtraError",
    "NotFoundError",
    "PagingError",
    "PayloadError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "ProgressBar",
    "ProgressEvent",
    "RateLimitError",
    "ResultFileError",
    "RetryPolicy",
    "ServerError",
    "TransportError",
    "UnexpectedAnswerError",
    "UnexpectedResponseError",
    "UnsafeUrlError",
    "WaitPolicy",
    "WaitTimeoutError",
    "ZohoBulkError",
]
__version__ = PACKAGE_VERSION
