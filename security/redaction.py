"""Keeping credentials out of every log line, including the server's access log.

Hub clients in browsers put a key or ticket in ``access_token`` and players put a signature in
stream links; the access log prints the whole request line, as the client encoded it. The filter
rewrites the formatted message before any handler sees it. Django's ``LOGGING`` setting names it
by dotted path, so logging is configured before the apps load and the engine's base imports no app.

Every word of a line is read as written and percent-decoded (up to three layers): ``?access%5F
token=%6Dek_…`` is ``access_token=mek_…`` to anyone who reads the log, so it is redacted as
such, and the word is written back encoded, so a decoded ``%0A`` cannot forge a log line. Besides
credential parameters and headers, anything shaped like a key, a hub ticket or a JWT (a TMDB read
token) is redacted wherever it stands.
"""

import logging
import re
from urllib.parse import quote, unquote

from security.keys import KEY_PATTERN
from security.tickets import TICKET_PATTERN

_QUERY_SECRET = re.compile(r"(?i)\b(access_token|api_key|apikey|key|sig|signature|token|ticket)=[^&\s\"']*")
#: OpenSubsonic's one-letter credential parameters: the password (a key, maybe ``enc:`` hex), and
#: the token and salt of the md5 scheme. Only as query or form parameters, after ``?``, ``&`` or ``;``.
_SUBSONIC_SECRET = re.compile(r"(?<=[?&;])([pts])=[^&\s\"']*")
#: A credential header and its value, as a log line or a traceback shows it (``name: value``,
#: ``'name': 'value'``); the scheme of ``Authorization`` (Bearer, Basic) is kept, its token not.
#: ``x-auth-key`` is KOReader's progress-sync credential (an MD5 of a key).
_HEADER_SECRET = re.compile(r"(?i)\b((?:http_)?(?:x[-_]api[-_]key|x[-_]auth[-_]key|authorization))([\"']?\s*[:=]\s*[\"']?)((?:bearer|basic)\s+)?[^\s,\"']+")
_TOKENS = (
    (re.compile(KEY_PATTERN.pattern.strip("^$")), "[redacted-key]"),
    (re.compile(TICKET_PATTERN.pattern.strip("^$")), "[redacted-ticket]"),
    (re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), "[redacted-token]"),
)
_ENCODED_WORD = re.compile(r"[^\s\"']*%[0-9A-Fa-f]{2}[^\s\"']*")
#: What stays as it is when a redacted word is encoded again: the punctuation of a URL.
_URL_PUNCTUATION = "/?&=:;,@!$()*+[]~-._"
DECODE_LAYERS = 3


def _redact_written(text):
    for pattern, replacement in _TOKENS:
        text = pattern.sub(replacement, text)
    text = _QUERY_SECRET.sub(lambda match: f"{match.group(1)}=[redacted]", text)
    text = _SUBSONIC_SECRET.sub(lambda match: f"{match.group(1)}=[redacted]", text)
    return _HEADER_SECRET.sub(lambda match: f"{match.group(1)}{match.group(2)}{match.group(3) or ''}[redacted]", text)


def _redact_encoded(match):
    word = decoded = match.group(0)
    for _ in range(DECODE_LAYERS):
        layer = unquote(decoded, errors="replace")
        if layer == decoded:
            break
        decoded = layer
    cleaned = _redact_written(decoded)
    return word if cleaned == decoded else quote(cleaned, safe=_URL_PUNCTUATION)


def redact(text):
    if "%" in text:
        text = _ENCODED_WORD.sub(_redact_encoded, text)
    return _redact_written(text)


_traceback_formatter = logging.Formatter()


class RedactSecretsFilter(logging.Filter):
    """Redacts the message and the traceback: an HTTP client's exception names the URL it called,
    query string (and so a provider's ``api_key``) included."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the caller's bug; log it as it is
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the redacted traceback is what they print.
            record.exc_text = redact(_traceback_formatter.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
