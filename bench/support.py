"""Shared benchmark plumbing: Django set-up, a migrated throwaway database, timing helpers."""

import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def setup_django():
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def best_of(rounds, function):
    """The median of ``rounds`` timings of ``function`` (seconds); medians resist noisy neighbours."""
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def report(name, value, unit="", goal=None):
    goal_text = f"  (goal {goal})" if goal else ""
    print(f"{name:<58} {value:>10.3f}{unit}{goal_text}", flush=True)


def interleaved(rounds, **functions):
    """Median timing of each function, alternating them round by round so drift hits all alike."""
    timings = {name: [] for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            started = time.perf_counter()
            function()
            timings[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in timings.items()}
