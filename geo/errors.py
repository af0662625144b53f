"""Errors a user can fix: the CLI prints them as one line and exits 3 for data, 2 for anything else."""

import unicodedata


class ClaimmapError(Exception):
    """Base of every user-facing error; its message is one complete line."""


class DataError(ClaimmapError):
    """Reference data is missing, unreadable or not what was pinned."""


class InputError(ClaimmapError):
    """A site, coordinate or input file the user gave cannot be used."""


class UnknownPlace(InputError):
    """No gazetteer knows the name; carries the closest names for the message."""

    def __init__(self, query: str, suggestions: list[str] | None = None):
        self.query = query
        self.suggestions = list(suggestions or [])
        hint = f"; closest: {', '.join(self.suggestions)}" if self.suggestions else ""
        super().__init__(f"unknown place {query!r}{hint}")


class AmbiguousPlace(InputError):
    """Several distinct places share the name; carries them so the user can pick."""

    def __init__(self, query: str, candidates: list[str]):
        self.query = query
        self.candidates = list(candidates)
        super().__init__(
            f"ambiguous place {query!r}: {'; '.join(self.candidates)} "
            "(add a country, e.g. 'Name, Country', or use --first)"
        )


def printable(text: object) -> str:
    """Text as one terminal line: control characters (from names or file names) escaped, never obeyed."""
    return "".join(repr(c)[1:-1] if unicodedata.category(c) == "Cc" else c for c in str(text))
