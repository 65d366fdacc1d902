"""Error mails: one per kind of error per interval, and two different bugs
are two kinds (pf2s.logfilters)."""

from __future__ import annotations

import logging
import sys

from pf2s.logfilters import OncePerInterval


def record_of(fail) -> logging.LogRecord:
    try:
        fail()
    except KeyError:
        info = sys.exc_info()
    return logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/x",), info)


def first_bug():
    {}["a"]


def second_bug():
    {}["b"]


def test_the_same_error_is_mailed_once_and_another_bug_still_is():
    once = OncePerInterval(seconds=600)
    assert once.filter(record_of(first_bug))
    assert not once.filter(record_of(first_bug))  # the database down: one mail, not thousands
    assert once.filter(record_of(second_bug))  # another KeyError elsewhere: its own mail
