"""Deployment warnings shown to Administrators on ``/system/status``.

Apps register a callable returning a list of sentences with :func:`register`.
"""

_checks = []


def register(check):
    _checks.append(check)
    return check


def warnings():
    found = []
    for check in _checks:
        found.extend(check())
    return found
