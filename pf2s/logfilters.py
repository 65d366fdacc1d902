"""Error reports that do not flood: while the database is down every request
fails the same way, and the team needs one mail, not thousands."""

from __future__ import annotations

import logging
import time


class OncePerInterval(logging.Filter):
    """Let one record of a kind (logger, level, message template, exception
    type) through per `seconds`, per process."""

    def __init__(self, seconds: float = 600.0):
        super().__init__()
        self.seconds = float(seconds)
        self._last: dict[tuple, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        exc_type = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        key = (record.name, record.levelno, str(record.msg)[:200], exc_type, _where(record))
        now = time.monotonic()
        if now - self._last.get(key, -self.seconds) < self.seconds:
            return False
        if len(self._last) > 1000:
            self._last.clear()
        self._last[key] = now
        return True


def _where(record: logging.LogRecord) -> str:
    """Where the exception was raised (file and line of its last frame): two
    different bugs of the same type are two kinds, each reported."""
    traceback = record.exc_info[2] if record.exc_info else None
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    if traceback is None:
        return ""
    return f"{traceback.tb_frame.f_code.co_filename}:{traceback.tb_lineno}"
