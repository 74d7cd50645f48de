"""The library's refusals, as DRF exceptions carrying the machine ``code`` of the JSON error."""

from rest_framework import exceptions, status


class Refused(exceptions.APIException):
    """Bad input (400) with a specific code, e.g. a path the validator refused."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, detail, code=None):
        super().__init__(detail, code or self.default_code)


class Conflict(Refused):
    """The request is valid but collides with the current state (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
