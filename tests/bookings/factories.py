from datetime import time

from bookings.models import AvailabilityRule


def weekly_hours(studio, start=time(9), end=time(17), days=range(7)):
    """Open `start`–`end` (studio time) on `days` (0 = Monday)."""
    return [AvailabilityRule.objects.create(studio=studio, weekday=d, start_time=start, end_time=end) for d in days]
