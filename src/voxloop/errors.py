"""Domain errors every app raises; the API and the pages turn them into clear 4xx answers."""


class DomainError(Exception):
    """A request the domain refuses; `field` names the input at fault when there is one."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    status = 400
    code = "invalid"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"
