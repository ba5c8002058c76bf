"""Run a use case again when the store refused its save because of another save.

Every use case is load → command → save. When two saves touch one aggregate at once (two
communes filing: one yearly numbering; two votes of a session: one yearly budget), the store
takes the first and refuses the second. Running the refused use case again on the new state
is what would have happened had it come a moment later: the references stay gapless, the
guards judge the new state, and a conflict on what the person saw (`expected_version`, the
budget shown) is found by that second run and told in words.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from faps.domain.errors import StaleSaveError

P = ParamSpec("P")
R = TypeVar("R")
ATTEMPTS = 12  # N writers at once: the last waits N-1 rounds; past that, the person retries
_running: ContextVar[bool] = ContextVar("faps_retrying", default=False)


def retried(use_case: Callable[P, R]) -> Callable[P, R]:
    """Run the use case again (bounded, with a short random pause) on a StaleSaveError."""

    @functools.wraps(use_case)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        if _running.get():  # a use case called by another: the outer one runs again
            return use_case(*args, **kwargs)
        token = _running.set(True)
        try:
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    return use_case(*args, **kwargs)
                except StaleSaveError:
                    if attempt == ATTEMPTS:
                        raise
                    time.sleep(random.uniform(0, 0.005 * attempt))
            raise AssertionError("unreachable")
        finally:
            _running.reset(token)

    return wrapped
