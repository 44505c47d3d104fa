"""Errors the data layer raises on purpose, each with a message fit for the person at the desk.

Messages are Dutch because they are shown as they are: in the app, at the field or in
a notification, and by the command line. Anything else that escapes the data layer is
a bug.
"""

from __future__ import annotations


class StoreError(Exception):
    """A problem with the database that a person can understand and act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DatabaseTooNew(StoreError):
    """The file was upgraded by a newer balie than this one."""


class UnsafeLocation(StoreError):
    """The file lies where SQLite's locking cannot be trusted (a network share)."""


class DatabaseBusy(StoreError):
    """Other desks kept the database locked for longer than we are willing to wait."""


class DatabaseUnusable(StoreError):
    """The file cannot be opened as a balie database (not SQLite, unreadable, corrupt)."""


class ReferenceDataError(StoreError):
    """A reference-data change that cannot be made (duplicate, unknown, in use)."""
