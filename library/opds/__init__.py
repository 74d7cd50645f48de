"""The OPDS catalog at ``/opds/`` (OPDS 1.2, Atom) and ``/opds/v2/`` (OPDS 2.0, JSON): what
e-readers browse, search and download. Both formats render the same selections
(``library.opds.catalog``); the credentials, roles and rate policies are the engine's own.
"""
