"""Plain progress lines for long batch jobs: rows, rows/s, share done and ETA."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressLog:
    """Progress lines (rows, rows/s, share done, ETA) every ``every`` seconds on a stream.

    Plain lines rather than a redrawn bar, so that logs of non-interactive runs (CI, batch jobs,
    ``2> log``) show progress too.
    """

    def __init__(self, what: str, *, every: float = 5.0, stream: TextIO | None = None) -> None:
        self.what, self.every = what, every
        self.stream = stream or sys.stderr
        self.started = self._last = time.monotonic()

    def update(self, rows: int, fraction: float | None = None, total: int | None = None) -> None:
        now = time.monotonic()
        if now - self._last >= self.every:
            self._last = now
            self._print(rows, now, fraction if total is None else rows / max(total, 1))

    def done(self, rows: int) -> None:
        elapsed = time.monotonic() - self.started
        rate = rows / elapsed if elapsed > 0 else 0.0
        print(f"{self.what}: {rows:,} rows in {elapsed:.1f} s ({_rate(rate)} rows/s)",
              file=self.stream, flush=True)

    def _print(self, rows: int, now: float, fraction: float | None) -> None:
        elapsed = now - self.started
        rate = rows / elapsed if elapsed > 0 else 0.0
        line = f"{self.what}: {rows:,} rows, {_rate(rate)} rows/s"
        if fraction:
            eta = elapsed * (1 - fraction) / fraction
            line += f", {fraction:.0%} done, ETA {_duration(eta)}"
        print(line, file=self.stream, flush=True)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _rate(rate: float) -> str:
    """Rows/s with one decimal below 10, so a slow job (explain: ~2 rows/s) never reads "0"."""
    return f"{rate:.1f}" if rate < 10 else f"{rate:,.0f}"
