"""Role permissions: Administrator > Curator > Consumer.

DRF views name one of the classes; plain Django views (streaming, the hub's negotiate) use
:func:`role_required`, which applies the same rule.
"""

from functools import wraps

from asgiref.sync import iscoroutinefunction
from rest_framework import permissions

from security import refusals
from security.principal import Principal
from security.roles import Role


def principal_has_role(principal, role):
    return isinstance(principal, Principal) and principal.has_role(role)


class HasRole(permissions.BasePermission):
    """Allows callers whose role includes ``role``; anonymous callers are left to DRF's 401."""

    role = Role.ADMINISTRATOR

    def has_permission(self, request, view):
        return principal_has_role(request.user, self.role)


class IsAdministrator(HasRole):
    role = Role.ADMINISTRATOR


class IsCurator(HasRole):
    """Curators and Administrators."""

    role = Role.CURATOR


class IsConsumer(HasRole):
    """Any role: Consumers, Curators and Administrators."""

    role = Role.CONSUMER


def role_required(role):
    """Decorator for plain Django views, sync or async, that enforces :class:`HasRole`'s rule."""

    def decorator(view):
        if iscoroutinefunction(view):
            @wraps(view)
            async def async_wrapper(request, *args, **kwargs):
                principal = getattr(request, "principal", None)
                if not principal_has_role(principal, role):
                    return refusals.not_permitted(principal)
                return await view(request, *args, **kwargs)

            return async_wrapper

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            principal = getattr(request, "principal", None)
            if not principal_has_role(principal, role):
                return refusals.not_permitted(principal)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
