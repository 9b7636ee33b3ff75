"""The campaign clock: real time in the campaign's zone, with an optional rehearsal date."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


class SystemClock:
    """`now()` is always real; `today()` is the rehearsal date when one is set (BOT_TODAY)."""

    def __init__(self, tz: ZoneInfo, rehearsal: date | None = None) -> None:
        self.tz = tz
        self.rehearsal = rehearsal

    def now(self) -> datetime:
        return datetime.now(self.tz)

    def today(self) -> date:
        return self.rehearsal or self.now().date()
