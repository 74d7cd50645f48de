"""A method's parameters: the query and a form body (the ``formPost`` extension) together."""

from library.subsonic.errors import GENERIC, SubsonicError, missing
from security.request_facts import from_request

MAX_TEXT = 1000
MAX_LIST = 5000
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


class Params:
    """Typed reads of the request's parameters; a bad value is a Subsonic error, never a 500."""

    def __init__(self, request):
        merged = {}
        for source in (request.GET.lists(), from_request(request).form.items()):
            for name, values in source:
                merged.setdefault(name, []).extend(values)
        self.values = merged

    def text(self, name, default=None, *, required=False):
        values = self.values.get(name)
        if not values:
            if required:
                raise missing(name)
            return default
        value = values[0]
        if len(value) > MAX_TEXT:
            raise SubsonicError(GENERIC, f"The parameter {name} is longer than {MAX_TEXT} characters.")
        return value

    def texts(self, name):
        values = self.values.get(name, [])
        if len(values) > MAX_LIST:
            raise SubsonicError(GENERIC, f"At most {MAX_LIST} values of {name} are accepted.")
        return values

    def integer(self, name, default=None, *, required=False, minimum=None, maximum=None):
        text = self.text(name, required=required)
        if text is None or text == "":
            if required:
                raise missing(name)
            return default
        try:
            value = int(text.strip())
        except ValueError:
            raise SubsonicError(GENERIC, f"The parameter {name} must be a whole number.") from None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise SubsonicError(GENERIC, f"The parameter {name} must be between {minimum} and {maximum}.")
        return value

    def integers(self, name, *, minimum=0, maximum=2**63 - 1):
        found = []
        for text in self.texts(name):
            try:
                value = int(text.strip())
            except ValueError:
                raise SubsonicError(GENERIC, f"Every {name} must be a whole number.") from None
            if not minimum <= value <= maximum:
                raise SubsonicError(GENERIC, f"Every {name} must be between {minimum} and {maximum}.")
            found.append(value)
        return found

    def boolean(self, name, default=False):
        text = self.text(name)
        if text is None or text == "":
            return default
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise SubsonicError(GENERIC, f"The parameter {name} must be true or false.")
