"""The one error the SIECLE reader raises: a refusal in one line that names the file."""

from __future__ import annotations

from core.errors import Invalid


class SiecleError(Invalid):
    """A SIECLE file (or set of files) refused; ``message`` is one line naming the file."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(" ".join(message.split()), code=code)
