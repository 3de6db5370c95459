"""The one error the SIECLE reader raises: a refusal in one line that names the file."""

from __future__ import annotations

from core.errors import Invalid


class SiecleError(Invalid):
    """A SIECLE file (or set of files) refused; ``message`` is one line naming the file, in
    English for the command line and the logs; ``code`` and ``params`` say it for the panel
    (``siecle``: a file that is not a readable, complete SIECLE export)."""

    code = "siecle"

    def __init__(self, message: str, *, code: str = "siecle", **params: object) -> None:
        super().__init__(" ".join(message.split()), code=code, **params)
