"""KOReader's progress sync (its kosync protocol) at ``/kosync/``: the reading position of a book,
per profile, shared by every device of a person and by the REST API (``library.state.reading``).

KOReader is pointed at ``https://<engine>/kosync`` as its custom sync server and logs in with
any user name and an engine key as the password. Accounts are not made here: keys are made by
Administrators, so ``POST /users/create`` refuses.
"""
