"""``make bench``: run every benchmark and print its ratios against its in-run baseline."""

import importlib
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

BENCHMARKS = [
    "ratelimit",
    "scan",
    "throughput",
    "key_digest",
    "search",
    "body_gate",
    "streaming",
    "scale",
    "hub",
    "subsonic",
]


def main(names):
    for name in names or BENCHMARKS:
        print(f"== bench.{name}", flush=True)
        importlib.import_module(f"bench.{name}").main()


if __name__ == "__main__":
    main(sys.argv[1:])
