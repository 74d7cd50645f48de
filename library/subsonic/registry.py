"""Which methods the API serves and the weakest role each needs; handlers register themselves."""

from dataclasses import dataclass

from security.roles import Role

METHODS = {}


@dataclass(frozen=True)
class Method:
    name: str
    handler: object
    role: Role


@dataclass(frozen=True)
class Call:
    """One method call: the request, its parameters and the principal the middleware resolved."""

    request: object
    params: object
    principal: object


def method(name, role=Role.CONSUMER):
    """Registers ``handler(call)``, which returns the envelope's payload or an HTTP response."""

    def register(handler):
        METHODS[name] = Method(name, handler, role)
        return handler

    return register
