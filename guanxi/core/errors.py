"""The one error family that services raise; views turn it into a message, the API into a 4xx."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the request. ``field`` names the input at fault, if any."""

    status = 400

    def __init__(self, message: str, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.code = code

    def as_dict(self) -> dict:
        body: dict = {"detail": self.message, "code": self.code}
        if self.field:
            body["field"] = self.field
            body["errors"] = {self.field: [self.message]}
        return body


class FieldErrors(DomainError):
    """Several inputs are invalid at once: ``errors`` maps field name → messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        first_field, messages = next(iter(errors.items()))
        super().__init__(messages[0], field=first_field, code="invalid")
        self.errors = errors

    def as_dict(self) -> dict:
        return {"detail": self.message, "code": self.code, "field": self.field,
                "errors": self.errors}


class Conflict(DomainError):
    """The record changed since the caller read it (optimistic locking) or a rule collides."""

    status = 409

    def __init__(self, message: str, field: str | None = None, code: str = "conflict") -> None:
        super().__init__(message, field, code)


class Forbidden(DomainError):
    """The user may see the record but not do this to it."""

    status = 403

    def __init__(self, message: str, code: str = "forbidden") -> None:
        super().__init__(message, None, code)


class NotFound(DomainError):
    """Missing and not-visible look the same from outside."""

    status = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message, None, "not_found")
