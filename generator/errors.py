"""Errors the generator reports to its users, one line each."""

from __future__ import annotations


class GeneratorError(Exception):
    """Base of every error the CLI turns into a one-line message and an exit code."""

    exit_code = 2


class SpecError(GeneratorError):
    """The spec is malformed; names the file, line and problem."""

    def __init__(self, file: str, line: int | None, problem: str, pointer: str = "") -> None:
        self.file = file
        self.line = line
        self.problem = " ".join(problem.split())
        self.pointer = pointer
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        at = f" (at {self.pointer})" if self.pointer else ""
        return f"{where}: {self.problem}{at}"


class UsageError(GeneratorError):
    """The command line asked for something that does not exist."""


class OutputError(GeneratorError):
    """The output folder cannot be read or written safely."""
