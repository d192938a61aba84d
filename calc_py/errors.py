"""The one exception type a user may see.

Why one type: the CLI turns it into a single line on stderr and exit status 2,
the page turns it into a visible notice; neither ever shows a traceback. Any
other exception escaping calc_py is a bug.
"""
from __future__ import annotations


class CalcError(ValueError):
    """Bad input, with a message fit for the person who typed it.

    ``field`` names the input at fault (a CLI long flag without ``--``) so a
    front end can point at it; ``suggestions`` lists close matches (e.g. model
    ids for a misspelt model).
    """

    def __init__(self, message: str, field: str | None = None,
                 suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.suggestions = suggestions or []
