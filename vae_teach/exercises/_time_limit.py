"""A time limit for exercise checks: an infinite loop in a student's function becomes a hint, not a hung kernel.

The limit is :data:`TIME_LIMIT` seconds, or ``VAE_TEACH_CHECK_SECONDS`` from the
environment (read at each check, so a notebook can change it with ``os.environ``).
How the code is stopped:

- Linux and macOS, main thread (a Jupyter kernel): SIGALRM (``signal.setitimer``)
  interrupts any Python code, ``time.sleep`` included.
- Windows (no SIGALRM), or a check run from another thread: a watchdog thread raises
  the stop in the checking thread (``PyThreadState_SetAsyncExc``). A Python loop stops
  the same way, but one long call into C (``time.sleep(1e9)``, one huge torch
  operation) runs to its end before the stop is delivered.
"""

from __future__ import annotations

import ctypes
import math
import os
import signal
import threading
import time
from typing import Any, Callable

__all__ = ["TIME_LIMIT", "OutOfTime", "limit_seconds", "run_limited"]

#: Seconds a check may run by default (``VAE_TEACH_CHECK_SECONDS`` overrides it).
TIME_LIMIT = 10.0


class OutOfTime(BaseException):
    """Raised in a check past its time limit; a BaseException, so a student's ``except Exception`` lets it by."""


def limit_seconds(given: float | None) -> float:
    """The limit for one check: ``given``, else the environment's, else TIME_LIMIT; <= 0 or inf: none."""
    if given is not None:
        return float(given)
    try:
        return float(os.environ.get("VAE_TEACH_CHECK_SECONDS", TIME_LIMIT))
    except ValueError:  # an unreadable setting must not break the check
        return TIME_LIMIT


class _Deadline:
    """Raise OutOfTime in the calling thread after ``seconds``, and again every 0.5 s until disarmed.

    The repeats stop a loop whose bare ``except:`` swallowed the first one.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds, self.armed, self.lock, self.done = seconds, False, threading.Lock(), threading.Event()
        self.thread, self.started = threading.get_ident(), time.monotonic()
        self.use_signal = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()

    def _fire(self, *_: Any) -> None:  # SIGALRM handler: runs in the checking thread
        if self.armed:
            raise OutOfTime()

    def _watch(self) -> None:  # watchdog thread: raises into the checking thread
        wait = self.seconds
        while not self.done.wait(wait):
            with self.lock:
                if not self.armed:
                    return
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread), ctypes.py_object(OutOfTime))
            wait = 0.5

    def arm(self) -> None:
        self.armed = True
        if self.use_signal:
            self.previous = signal.signal(signal.SIGALRM, self._fire)
            self.outer = signal.setitimer(signal.ITIMER_REAL, self.seconds, 0.5)  # a timer already running
        else:
            threading.Thread(target=self._watch, daemon=True, name="vae_teach check time limit").start()

    def disarm(self) -> None:
        """Stop for good; retried if a last stop lands while disarming, so none escapes afterwards."""
        while True:
            try:
                with self.lock:
                    self.armed = False
                    self.done.set()
                    if self.use_signal:
                        signal.setitimer(signal.ITIMER_REAL, 0)
                        signal.signal(signal.SIGALRM, self.previous)
                        if self.outer[0] > 0:  # give back what is left of it
                            left = self.outer[0] - (time.monotonic() - self.started)
                            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3), self.outer[1])
                    else:  # drop a stop raised but not yet delivered
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread), None)
                return
            except OutOfTime:
                continue


def run_limited(body: Callable[..., Any], seconds: float, *args: Any, **kwargs: Any) -> Any:
    """body(*args, **kwargs), stopped by OutOfTime after ``seconds`` (no limit if <= 0 or infinite)."""
    if not seconds > 0 or math.isinf(seconds):
        return body(*args, **kwargs)
    deadline = _Deadline(seconds)
    try:
        deadline.arm()
        return body(*args, **kwargs)
    finally:
        deadline.disarm()
