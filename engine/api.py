"""Building blocks shared by every REST endpoint of the engine."""

from rest_framework import parsers, serializers
from rest_framework.exceptions import ParseError
from rest_framework.pagination import PageNumberPagination

from engine.errors import BadInput

#: The largest id a database column holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1
#: How deep a JSON body may nest. No request of the engine nests more than three levels; a body
#: nested deeper than Python's stack made the parser raise RecursionError (a 500), and one nested
#: a little less could still overflow whatever walked it next.
MAX_JSON_DEPTH = 32


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class StrictSerializer(serializers.Serializer):
    """Refuses request fields it does not declare.

    A typo such as ``{"rol": "Consumer"}`` would otherwise be ignored silently and the request
    would succeed with defaults the caller did not ask for.
    """

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown field."] for name in unknown}, code="unknown_field"
                )
        return super().to_internal_value(data)


def _depth_exceeds(value, limit):
    """Whether ``value`` nests more than ``limit`` containers deep; iterative, so any depth is safe."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in item if isinstance(child, (dict, list)))
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a nesting limit: too deep is a 400, never a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.") from None
        if _depth_exceeds(data, MAX_JSON_DEPTH):
            raise ParseError(f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.")
        return data


def whole_number(text, name, *, code=None, maximum=MAX_ID, detail=None):
    """``text`` as a whole number from 0 to ``maximum``, or :class:`BadInput` naming ``name``
    (``detail`` says what the number is, where "a whole number" would say less).

    ``str.isdigit`` also says yes to ``²`` and ``١``, which ``int`` refuses or reads as another
    number, and a number past 64 bits overflows the database (both were 500s).
    """
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)) or int(text) > maximum:
        raise BadInput(detail or f"{name} must be a whole number from 0 to {maximum}.", code or f"invalid_{name}")
    return int(text)
