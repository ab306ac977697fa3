"""ID-card and mobile numbers masked in free text — a log line, a support bundle — and the logging filter that
does it to every record a log handler writes, as a safety net under what each logger already leaves out.

Light on purpose (the standard library and the domain's masking only): the counter installs the filter with its
log file while the login page is up."""

from __future__ import annotations

import logging
import re

from app.domain.identity import mask_id

# An 18-character ID number (the last may be X), or a 15-digit old one, and an 11-digit mobile number; digits
# around them break the match, so a case number (QX01-20261124-0007) or a timestamp is left alone.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])|(?<!\d)(\d{6})\d{6}(\d{3})(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_personal(line: str) -> str:
    """ID-card and mobile numbers in a line of a log, masked as everywhere (``330127********0012``,
    ``330127*****0012`` for a 15-digit one, ``138****5678``)."""

    return _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", _ID_NUMBER.sub(lambda m: mask_id(m[0]), line))


class MaskPersonalData(logging.Filter):
    """Masks ID-card and mobile numbers in a record before a handler writes it: the message with its arguments
    filled in, the traceback and the stack. Installed on the log's handlers; it never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a message whose arguments do not fit: logging reports that itself
            return True
        record.msg, record.args = mask_personal(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal(record.stack_info)
        return True


def install_masking(handler: logging.Handler) -> None:
    """The filter on ``handler``, once."""
    if not any(isinstance(f, MaskPersonalData) for f in handler.filters):
        handler.addFilter(MaskPersonalData())
