"""The one error type domain code raises: a machine `code`, a `message` for the person, and a `kind`.

`kind` says what went wrong without naming HTTP; only the API layer turns a kind into a status
(frontend_api.errors). Admin views and site pages show `message` their own way."""

# Every kind a DomainError may have (the API layer has a status for each).
INVALID = "invalid"  # the request itself is wrong; ask again differently
UNAUTHENTICATED = "unauthenticated"  # who is asking is unknown or their pass has run out
FORBIDDEN = "forbidden"  # known, but not allowed
NOT_FOUND = "not_found"
CONFLICT = "conflict"  # the thing's state does not allow it now
GONE = "gone"  # it existed, and has expired
LIMIT = "limit"  # a plan or per-client allowance is used up
TOO_LARGE = "too_large"  # it does not fit (storage full)
THROTTLED = "throttled"  # too many attempts; try again later
UNAVAILABLE = "unavailable"  # a service we depend on cannot answer

KINDS = (
    INVALID,
    UNAUTHENTICATED,
    FORBIDDEN,
    NOT_FOUND,
    CONFLICT,
    GONE,
    LIMIT,
    TOO_LARGE,
    THROTTLED,
    UNAVAILABLE,
)


class DomainError(Exception):
    """`raise DomainError("slot_taken", "That time was just booked.", "conflict")`.

    Subclasses may set `code` and `kind` as class defaults and then pass only the message.
    `fields` names the input fields at fault: `{"body": ["Too long."]}`; `retry_after` (seconds) says when a
    `throttled` request may be tried again (the API sends it as Retry-After)."""

    code = "error"
    kind = INVALID

    def __init__(
        self,
        code: str | None = None,
        message: str = "",
        kind: str | None = None,
        *,
        fields=None,
        retry_after: int | None = None,
    ):
        super().__init__(message)
        if code is not None:
            self.code = code
        if kind is not None:
            self.kind = kind
        if self.kind not in KINDS:
            raise ValueError(f"Unknown error kind {self.kind!r}; use one of {', '.join(KINDS)}")
        self.message = message
        self.fields = fields
        self.retry_after = retry_after


class DomainMessageError(DomainError):
    """For errors raised with a message only (`raise InvoiceError("Already sent.")`); code and kind are the class's."""

    def __init__(self, message: str = ""):
        super().__init__(message=message)
