"""A conflict-free weekly timetable for one school, by local search.

Each class gets its lessons packed from period 1 without gaps ("вікна"), spread evenly
over the five days. Lessons are then swapped within a class until no teacher is in two
places at once (hard) and, as far as possible, no subject repeats on a day (soft). A
lesson of a class split into groups is one item with two teachers, so both groups share
the slot.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

DAYS = (1, 2, 3, 4, 5)
MAX_PERIODS = 7
_HARD = 20  # weight of a teacher conflict against one repeated subject on a day


@dataclass(frozen=True)
class Item:
    """One weekly lesson of a class: the assignments taught in it and their teachers."""

    class_key: int
    subject: str
    teachers: tuple[int, ...]
    assignments: tuple[int, ...]


class TimetableError(RuntimeError):
    pass


Slot = tuple[int, int]  # (weekday, period)


def day_lengths(count: int, rng: random.Random) -> dict[int, int]:
    """Lessons per weekday for a class with `count` weekly lessons, as even as possible."""
    if count > len(DAYS) * MAX_PERIODS:
        raise TimetableError(f"{count} weekly lessons do not fit into {MAX_PERIODS} periods")
    base, extra = divmod(count, len(DAYS))
    long_days = set(rng.sample(DAYS, extra))
    return {day: base + (1 if day in long_days else 0) for day in DAYS}


class _Search:
    def __init__(self, items: list[Item], rng: random.Random) -> None:
        self.items = items
        self.rng = rng
        self.position: list[Slot] = [(0, 0)] * len(items)
        self.by_class: dict[int, list[int]] = {}
        for index, item in enumerate(items):
            self.by_class.setdefault(item.class_key, []).append(index)
        self.teacher_at: dict[tuple[int, int, int], list[int]] = {}
        self.conflicts: set[tuple[int, int, int]] = set()
        self.subject_day: dict[tuple[int, str, int], int] = {}
        self.hard = 0
        self.soft = 0
        self.tabu: dict[tuple[int, Slot], int] = {}

    def place_randomly(self) -> None:
        for class_key in sorted(self.by_class):
            indexes = self.by_class[class_key]
            lengths = day_lengths(len(indexes), self.rng)
            slots = [(day, period) for day in DAYS for period in range(1, lengths[day] + 1)]
            self.rng.shuffle(slots)
            for index, slot in zip(indexes, slots, strict=True):
                self._add(index, slot)

    def _add(self, index: int, slot: Slot) -> None:
        item = self.items[index]
        self.position[index] = slot
        for teacher in item.teachers:
            key = (teacher, *slot)
            occupants = self.teacher_at.setdefault(key, [])
            if occupants:
                self.hard += 1
                self.conflicts.add(key)
            occupants.append(index)
        day_key = (item.class_key, item.subject, slot[0])
        count = self.subject_day.get(day_key, 0)
        if count:
            self.soft += 1
        self.subject_day[day_key] = count + 1

    def _remove(self, index: int) -> None:
        item = self.items[index]
        slot = self.position[index]
        for teacher in item.teachers:
            key = (teacher, *slot)
            occupants = self.teacher_at[key]
            occupants.remove(index)
            if occupants:
                self.hard -= 1
                if len(occupants) == 1:
                    self.conflicts.discard(key)
        day_key = (item.class_key, item.subject, slot[0])
        count = self.subject_day[day_key] - 1
        if count:
            self.soft -= 1
        self.subject_day[day_key] = count

    def cost(self) -> int:
        return self.hard * _HARD + self.soft

    def swap(self, a: int, b: int) -> None:
        slot_a, slot_b = self.position[a], self.position[b]
        self._remove(a)
        self._remove(b)
        self._add(a, slot_b)
        self._add(b, slot_a)

    def delta(self, a: int, b: int) -> int:
        """The change of cost if classmate lessons a and b swapped slots, without swapping."""
        slot_a, slot_b = self.position[a], self.position[b]
        item_a, item_b = self.items[a], self.items[b]
        teacher_at = self.teacher_at
        hard = 0
        for mover, stay, there in ((item_a, item_b, slot_b), (item_b, item_a, slot_a)):
            here = slot_a if there is slot_b else slot_b
            for teacher in mover.teachers:
                if teacher in stay.teachers:
                    continue  # the teacher keeps both slots
                if len(teacher_at.get((teacher, *here), ())) >= 2:
                    hard -= 1
                if teacher_at.get((teacher, *there)):
                    hard += 1
        soft = 0
        if slot_a[0] != slot_b[0] and item_a.subject != item_b.subject:
            for item, day_from, day_to in (
                (item_a, slot_a[0], slot_b[0]),
                (item_b, slot_b[0], slot_a[0]),
            ):
                if self.subject_day[(item.class_key, item.subject, day_from)] >= 2:
                    soft -= 1
                if self.subject_day.get((item.class_key, item.subject, day_to), 0) >= 1:
                    soft += 1
        return hard * _HARD + soft

    def best_swap(self, index: int, *, step: int = 0, explore: bool = True) -> None:
        """Swap `index` with the classmate lesson that lowers the cost most (ties at random).

        Exploring, it is a tabu search: the best swap is taken even if it costs, but a lesson
        may not return to a slot it recently left (unless that removes every conflict).
        Otherwise only improving swaps are taken.
        """
        partners = [i for i in self.by_class[self.items[index].class_key] if i != index]
        if not partners:
            return
        if explore and self.rng.random() < 0.02:
            self._swap_marking(index, self.rng.choice(partners), step)
            return
        best: list[int] = []
        best_delta = 1 << 30
        position, tabu = self.position, self.tabu
        for partner in partners:
            delta = self.delta(index, partner)
            is_tabu = (
                tabu.get((index, position[partner]), -1) > step
                or tabu.get((partner, position[index]), -1) > step
            )
            if explore and is_tabu and self.hard * _HARD + delta >= _HARD:
                continue
            if delta < best_delta:
                best, best_delta = [partner], delta
            elif delta == best_delta:
                best.append(partner)
        if best and (explore or best_delta < 0):
            self._swap_marking(index, self.rng.choice(best), step)

    def _swap_marking(self, a: int, b: int, step: int) -> None:
        tenure = 7 + self.rng.randint(0, 6)
        self.tabu[(a, self.position[a])] = step + tenure
        self.tabu[(b, self.position[b])] = step + tenure
        self.swap(a, b)

    def repeated_subject_items(self) -> list[int]:
        return [
            index
            for index, item in enumerate(self.items)
            if self.subject_day[(item.class_key, item.subject, self.position[index][0])] > 1
        ]


def build_timetable(
    items: list[Item], rng: random.Random, *, max_steps: int = 20_000, attempts: int = 3
) -> list[Slot]:
    """Slots for the items, index for index, with no teacher in two places at once."""
    for _attempt in range(attempts):
        search = _Search(items, rng)
        search.place_randomly()
        steps = 0
        while search.hard and steps < max_steps:
            key = rng.choice(sorted(search.conflicts))
            search.best_swap(rng.choice(search.teacher_at[key]), step=steps)
            steps += 1
        if search.hard:
            continue
        # Spread repeated subjects over the week without creating conflicts.
        for _round in range(len(items) // 2):
            repeated = search.repeated_subject_items()
            if not repeated:
                break
            # Only improving swaps here, so no conflict can come back.
            search.best_swap(rng.choice(repeated), explore=False)
        return list(search.position)
    raise TimetableError("no conflict-free timetable found")
