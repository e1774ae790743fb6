from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

HELSINKI = ZoneInfo("Europe/Helsinki")


def local(*args) -> datetime:
    """An aware instant in the vendor's time zone."""
    return datetime(*args, tzinfo=HELSINKI)


@pytest.fixture
def clock():
    """Travel in time: ``clock.to(local(...))`` moves the clock; it does not tick by itself."""

    class Clock:
        def __init__(self):
            self.traveller = None

        def to(self, when: datetime):
            if self.traveller is not None:
                self.traveller.stop()
            self.traveller = time_machine.travel(when, tick=False)
            self.traveller.start()
            return when

    c = Clock()
    yield c
    if c.traveller is not None:
        c.traveller.stop()
