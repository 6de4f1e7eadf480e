"""Refusals a service raises and a view turns into a clear message."""


class Refused(Exception):
    """The action is not allowed now; `message` says why, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Conflict(Refused):
    """Someone else changed the record since this user loaded it."""
