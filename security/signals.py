"""Signals other apps listen to. Sent after the transaction commits, so listeners see the rows.

``keys_revoked(key_ids=[...])``: the hub closes live connections made with these keys.
"""

import django.dispatch

keys_revoked = django.dispatch.Signal()
