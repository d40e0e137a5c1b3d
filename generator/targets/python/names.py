"""The Python target's names for what the IR names neutrally: the distribution
and package of a product, the subpackage of a version, the exception class of an
error code, the enum member of a vocabulary value.

The IR (generator/spec/model.py) knows no Python; the Python target's
modules (packages.py, views.py, models.py, the templates) read these names from
the views below, which add them to the IR objects they wrap."""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from generator.spec.model import (
    ErrorCode,
    NormalizedSpec,
    Product,
    ProductVersion,
    Vocabulary,
    VocabularyValue,
)

CORE_PACKAGE = "zoho_bulk_core"
"""The shared runtime's package; no product's package may take its name."""


def distribution(product: Product | str) -> str:
    """The distribution of a product: ``some_name`` -> ``zoho-bulk-some-name``."""
    name = product if isinstance(product, str) else product.name
    return f"zoho-bulk-{name.replace('_', '-')}"


def package(product: Product | str) -> str:
    """The import package of a product: ``some_name`` -> ``zoho_bulk_some_name``."""
    name = product if isinstance(product, str) else product.name
    return f"zoho_bulk_{name}"


@lru_cache(maxsize=4096)
def error_class_name(code: str) -> str:
    """``RESOURCE_NOT_FOUND`` -> ``ResourceNotFoundError``."""
    words = [word for word in code.lower().split("_") if word]
    name = "".join(word.capitalize() for word in words)
    return name if name.endswith("Error") else f"{name}Error"


BASE_ERROR_CLASSES = frozenset(
    {
        "ZohoBulkError",
        "TransportError",
        "UnexpectedResponseError",
        "UnexpectedAnswerError",
        "ConfigurationError",
        "UnsafeUrlError",
        "LocalFileError",
        "ApiError",
        "BadRequestError",
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "PayloadTooLargeError",
        "RateLimitError",
        "ServerError",
    }
)
"""The classes the core errors module defines itself, which no code's class may replace."""

BUILTIN_ERROR_NAMES = frozenset(
    {
        "ArithmeticError",
        "AssertionError",
        "AttributeError",
        "BlockingIOError",
        "BrokenPipeError",
        "BufferError",
        "ChildProcessError",
        "ConnectionAbortedError",
        "ConnectionError",
        "ConnectionRefusedError",
        "ConnectionResetError",
        "EOFError",
        "EnvironmentError",
        "FileExistsError",
        "FileNotFoundError",
        "FloatingPointError",
        "IOError",
        "ImportError",
        "IndentationError",
        "IndexError",
        "InterruptedError",
        "IsADirectoryError",
        "KeyError",
        "LookupError",
        "MemoryError",
        "ModuleNotFoundError",
        "NameError",
        "NotADirectoryError",
        "NotImplementedError",
        "OSError",
        "OverflowError",
        "PermissionError",
        "ProcessLookupError",
        "PythonFinalizationError",
        "RecursionError",
        "ReferenceError",
        "RuntimeError",
        "SyntaxError",
        "SystemError",
        "TabError",
        "TimeoutError",
        "TypeError",
        "UnboundLocalError",
        "UnicodeDecodeError",
        "UnicodeEncodeError",
        "UnicodeError",
        "UnicodeTranslateError",
        "ValueError",
        "ZeroDivisionError",
    }
)
"""Python's builtin exceptions ending in ``Error`` (3.11 to 3.13), listed rather than
read from ``builtins`` so that the output does not depend on the running Python."""

RESERVED_ERROR_CLASS_NAMES = frozenset(
    {
        *BASE_ERROR_CLASSES,
        # Exceptions the rest of the runtime defines (waiters, validation, transport, results).
        "JobFailedError",
        "WaitTimeoutError",
        "PayloadError",
        "DownloadLimitError",
        "ResultFileError",
        "PagingError",
        "InvalidRequestError",
        "CallbackBodyError",
        "MissingExtraError",
        "ArrowUnavailableError",
        "UsageError",
        # ``VALUE`` must not make a ValueError that hides the builtin.
        *BUILTIN_ERROR_NAMES,
    }
)
"""Names no error code's class may take; a test checks that every exception class
of the installed runtime is among them."""


def error_class_names(codes: list[str]) -> list[str]:
    """Distinct exception class names for the error codes, in order.

    A code whose name would replace a base class (``NOT_FOUND`` ->
    ``NotFoundError``), another runtime class (``JOB_FAILED``), a Python builtin
    (``VALUE`` -> ``ValueError``) or an earlier code's class (``A_B`` and ``A__B``) gets
    ``Code`` before ``Error``, then a number, until the name is free."""
    used = set(RESERVED_ERROR_CLASS_NAMES)
    names = []
    for code in codes:
        name = error_class_name(code)
        if name in used:
            stem = f"{name.removesuffix('Error')}Code"
            name, number = f"{stem}Error", 2
            while name in used:
                name, number = f"{stem}{number}Error", number + 1
        used.add(name)
        names.append(name)
    return names


def member_name(value: str) -> str:
    """A Python enum member name for a vocabulary value: ``IN PROGRESS`` -> ``IN_PROGRESS``."""
    name = re.sub(r"\W+", "_", value, flags=re.ASCII).strip("_").upper()
    if not name or name[0].isdigit():
        name = f"V_{name}"
    if keyword.iskeyword(name) or name.startswith("_"):
        name = f"{name}_"
    return name


def module_name(version: str) -> str:
    """The Python subpackage of an API version: ``v2.1`` -> ``v2_1``."""
    return version.replace(".", "_")


def member_names(values: list[str]) -> list[str]:
    """Distinct enum member names for the values of one vocabulary, in order.

    A value already spelled as its member name (``COMPLETED``) keeps it; a value
    whose name is taken by another (``completed``, ``in-progress`` after
    ``IN PROGRESS``) gets underscores appended until it is free."""
    names = [member_name(value) for value in values]
    used = {name for name, value in zip(names, values, strict=True) if name == value}
    result = []
    for name, value in zip(names, values, strict=True):
        if name != value:
            while name in used:
                name = f"{name}_"
            used.add(name)
        result.append(name)
    return result


def error_classes(spec: NormalizedSpec) -> dict[str, str]:
    """The exception class of every error code of the catalog, by code."""
    codes = [error.code for error in spec.errors]
    return dict(zip(codes, error_class_names(codes), strict=True))


class _View:
    """An IR object seen by the Python target: every attribute of the wrapped
    object (``ir``), plus the Python names the view sets."""

    ir: Any

    def __getattr__(self, name: str) -> Any:
        if name == "ir":  # not set yet (copying): never recurse
            raise AttributeError(name)
        return getattr(self.ir, name)


@dataclass(frozen=True)
class PythonVersion(_View):
    """A product version and its subpackage (``module_name``)."""

    ir: ProductVersion
    module_name: str


@dataclass(frozen=True)
class PythonProduct(_View):
    """A product, its distribution and package, and its versions' views."""

    ir: Product
    distribution: str
    package: str
    versions: tuple[PythonVersion, ...]


@dataclass(frozen=True)
class PythonValue(_View):
    """A vocabulary value and its enum member name."""

    ir: VocabularyValue
    member_name: str


@dataclass(frozen=True)
class PythonVocabulary(_View):
    """A vocabulary and its values' views."""

    ir: Vocabulary
    values: tuple[PythonValue, ...]


@dataclass(frozen=True)
class PythonError(_View):
    """An error code and its exception class."""

    ir: ErrorCode
    class_name: str


def python_product(product: Product) -> PythonProduct:
    """``product`` with the names the Python target gives it and its versions."""
    return PythonProduct(
        product,
        distribution(product),
        package(product),
        tuple(PythonVersion(version, module_name(version.version)) for version in product.versions),
    )


def python_vocabulary(vocabulary: Vocabulary) -> PythonVocabulary:
    """``vocabulary`` with an enum member name for each value."""
    names = member_names([value.canonical for value in vocabulary.values])
    return PythonVocabulary(
        vocabulary,
        tuple(
            PythonValue(value, name) for value, name in zip(vocabulary.values, names, strict=True)
        ),
    )


def python_errors(spec: NormalizedSpec) -> tuple[PythonError, ...]:
    """The error catalog, each code with its exception class."""
    classes = error_classes(spec)
    return tuple(PythonError(error, classes[error.code]) for error in spec.errors)
