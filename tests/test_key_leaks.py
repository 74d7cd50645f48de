"""A key's plaintext appears in its creation response and nowhere else: not in lists, rows or logs."""

import logging

from django.db import connection

KEYS = "/admin/api-keys"


def every_stored_value():
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                yield from (value for value in row if value is not None)


def test_plaintext_is_only_in_the_creation_response(client_as, remote, caplog):
    caplog.set_level(logging.DEBUG)
    admin = client_as("Administrator")
    created = admin.post(KEYS, json={"label": "leak check", "role": "Curator"})
    plaintext = created.json()["key"]

    # Use it, fail with it, revoke it: every path that touches the key.
    remote.get("/system/status", key=plaintext)
    remote.get(KEYS, key=plaintext)
    remote.get(KEYS, key=plaintext[:-1] + "x")
    listing = admin.get(KEYS)
    audit = admin.get("/admin/audit")
    admin.delete(f"{KEYS}/{created.json()['id']}")
    refused = remote.get(KEYS, key=plaintext)

    for response in (listing, audit, refused):
        assert plaintext not in response.text
        assert plaintext not in str(response.headers)
    stored = [str(value) for value in every_stored_value()]
    assert not any(plaintext in value for value in stored)
    assert plaintext not in caplog.text
    assert plaintext[len("mek_") + 13 :] not in caplog.text


def test_log_filter_redacts_keys_headers_and_query_tokens():
    from security.redaction import redact
    from security.keys import generate

    plaintext = generate().plaintext
    line = f'GET /hubs/intercom?id=abc&access_token={plaintext} X-Api-Key: {plaintext} Authorization: Bearer {plaintext}'
    cleaned = redact(line)
    assert plaintext not in cleaned
    assert "id=abc" in cleaned
    assert redact(f"leaked {plaintext} here") == "leaked [redacted-key] here"


def test_log_filter_redacts_credentials_in_tracebacks():
    import io

    from security.redaction import RedactSecretsFilter
    from security.keys import generate

    plaintext = generate().plaintext
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecretsFilter())
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    try:
        try:
            raise RuntimeError(f"Client error for url 'https://provider.example/search?query=x&api_key=s3cr3t-v3' with {plaintext}")
        except RuntimeError:
            logger.exception("Look-up failed")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "Look-up failed" in output and "RuntimeError" in output
    assert "s3cr3t-v3" not in output and plaintext not in output
