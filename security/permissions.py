"""Who may do what: the role permissions (Administrator > Curator > Consumer) and the policies
on what a credential may be exchanged for or open.

DRF views name the classes; plain Django views (streaming, the hub's negotiate) use
:func:`role_required`, which applies the same rule, and the predicates below.
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


class MayObtainTicket(permissions.BasePermission):
    """A ticket cannot be exchanged for another ticket (see :attr:`Via.may_obtain_ticket`)."""

    message = "A ticket cannot be exchanged for another ticket."

    def has_permission(self, request, view):
        return isinstance(request.user, Principal) and request.user.via.may_obtain_ticket


def may_obtain_stream_link(principal):
    """Stream links are issued to API keys only (see :attr:`Via.may_obtain_stream_link`)."""
    return principal.via.may_obtain_stream_link


def may_stream(principal, asset_id):
    """A signed link opens the one asset it was signed for; every other principal opens any."""
    return principal.asset_id is None or principal.asset_id == asset_id


def role_required(role):
    """Decorator for plain Django views, sync or async, that enforces :class:`HasRole`'s rule."""

    def decorator(view):
        if iscoroutinefunction(view):
            @wraps(view)
            async def async_wrapper(request, *args, **kwargs):
                principal = getattr(request, "principal", None)
                if not principal_has_role(principal, role):
                    return refusals.not_permitted(principal, path=request.path)
                return await view(request, *args, **kwargs)

            return async_wrapper

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            principal = getattr(request, "principal", None)
            if not principal_has_role(principal, role):
                return refusals.not_permitted(principal, path=request.path)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
