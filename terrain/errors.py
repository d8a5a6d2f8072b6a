"""Errors that terrain raises for users to act on.

Every message is one sentence naming the problem and the fix. The command line
turns :class:`InputError` into exit status 2 (bad usage) and every other
:class:`TerrainError` into exit status 1 (a failure while doing the work).
"""


class TerrainError(Exception):
    """Base class of the errors terrain raises on purpose."""


class InputError(TerrainError, ValueError):
    """The user asked for something that cannot be done as asked (bad argument)."""


class DataError(TerrainError):
    """A file or tile is missing, unreadable, corrupt or not elevation data."""


class FetchError(TerrainError):
    """Downloading elevation data failed (network, server or integrity)."""


class TerrainWarning(UserWarning):
    """A warning terrain gives on purpose; the command line prints it as one line."""


class LongRunWarning(TerrainWarning):
    """A run that will take long, with the estimate and what would make it shorter."""
