"""Working-time arithmetic on a resource's windows, shared by the dispatching rule and the CP-SAT model.

A calendar is a sorted tuple of non-overlapping half-open windows [start, end) in minutes. Minute t is a
working minute when some window holds it. W(t), the number of working minutes before t, is a monotone
step-free function; a task that starts at s and needs d working minutes ends at the smallest e with
W(e) - W(s) = d (it pauses in the gaps and never ends at the start of a window). `None` means always
working: then W(t) = t and e = s + d. (The validator does not use this module: it recounts on its own.)
"""

from bisect import bisect_right


class Calendar:
    __slots__ = ("starts", "ends", "cum", "always")

    def __init__(self, windows: tuple[tuple[int, int], ...] | None):
        self.always = windows is None
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.cum: list[int] = []  # working minutes before each window
        total = 0
        for start, end in windows or ():
            if end <= start:
                continue
            if self.ends and start < self.ends[-1]:
                raise ValueError(f"working windows overlap or are unsorted at minute {start}")
            if self.ends and start == self.ends[-1]:  # touching windows: one window
                self.ends[-1] = end
            else:
                self.starts.append(start)
                self.ends.append(end)
                self.cum.append(total)
            total += end - start
        self.cum.append(total)  # sentinel: all working minutes

    @property
    def total(self) -> int:
        return self.cum[-1]

    def worked_before(self, t: int) -> int:
        """W(t): working minutes in [-inf, t)."""
        if self.always:
            return t
        k = bisect_right(self.starts, t) - 1
        if k < 0:
            return 0
        return self.cum[k] + min(t, self.ends[k]) - self.starts[k]

    def next_working(self, t: int) -> int | None:
        """The first working minute at or after t (None when the windows have run out)."""
        if self.always:
            return t
        k = bisect_right(self.starts, t) - 1
        if k >= 0 and t < self.ends[k]:
            return t
        k += 1
        return self.starts[k] if k < len(self.starts) else None

    def minute_of_work(self, n: int) -> int | None:
        """The n-th working minute (0-based): the working minute m with W(m) = n."""
        if self.always:
            return n
        if n < 0 or n >= self.total:
            return None
        k = bisect_right(self.cum, n) - 1
        return self.starts[k] + n - self.cum[k]

    def end_of(self, start: int, duration: int) -> int | None:
        """The end of a task started at `start` (any minute: it waits for the next window) after
        `duration` working minutes; None when the windows run out first."""
        if duration <= 0:
            return start
        if self.always:
            return start + duration
        last = self.minute_of_work(self.worked_before(start) + duration - 1)
        return None if last is None else last + 1

    def earliest_start_ending_at_least(self, min_end: int, duration: int) -> int:
        """The smallest working minute s with end_of(s, duration) >= min_end (the overlap rule: a
        task that may overlap its predecessor cannot end before it)."""
        if duration <= 0:
            return min_end
        if self.always:
            return min_end - duration
        # end_of(s) >= E  <=>  W(E - 1) - W(s) < d  <=>  W(s) >= W(E - 1) - d + 1
        target = self.worked_before(min_end - 1) - duration + 1
        if target <= 0:
            return self.starts[0] if self.starts else 0
        minute = self.minute_of_work(target)
        return minute if minute is not None else min_end
