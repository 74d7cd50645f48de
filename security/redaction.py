"""Keeping credentials out of every log line, including the server's access log.

Hub clients in browsers put a key or ticket in ``access_token`` and players put a signature in
stream links; the access log prints the whole request line. The filter rewrites the formatted
message before any handler sees it. Django's ``LOGGING`` setting names it by dotted path, so
logging is configured before the apps load and the engine's base imports no app.
"""

import logging
import re

from security.keys import KEY_PATTERN

_QUERY_SECRET = re.compile(r"(?i)\b(access_token|api_key|sig|signature|token|ticket)=[^&\s\"']*")
_HEADER_SECRET = re.compile(r"(?i)\b(x-api-key|authorization)(\"?\s*[:=]\s*\"?)(bearer\s+)?[^\s,\"']+")
_KEY = re.compile(KEY_PATTERN.pattern.strip("^$"))


def redact(text):
    text = _KEY.sub("[redacted-key]", text)
    text = _QUERY_SECRET.sub(lambda match: f"{match.group(1)}=[redacted]", text)
    return _HEADER_SECRET.sub(lambda match: f"{match.group(1)}{match.group(2)}[redacted]", text)


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
