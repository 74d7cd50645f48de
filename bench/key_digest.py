"""The digest check of one key: the engine's SHA-256 against djangorestframework-api-key's
default hasher (SHA-512), the library the engine's key design was compared with. Pure functions,
no server: what a request pays to verify its key, not what a request costs (bench/throughput.py)."""

from bench.support import best_of, report

ROUNDS = 9
CHECKS = 20000


def main():
    from security import keys

    plaintext = keys.generate().plaintext
    stored = keys.digest(plaintext)
    ours = best_of(ROUNDS, lambda: [keys.verify(plaintext, stored) for _ in range(CHECKS)]) / CHECKS
    report("digest verify, engine (SHA-256), µs/key", ours * 1e6, " µs")
    try:
        from rest_framework_api_key.crypto import Sha512ApiKeyHasher
    except ImportError:
        print("djangorestframework-api-key not installed: `pip install -e '.[bench]'`")
        return
    hasher = Sha512ApiKeyHasher()
    encoded = hasher.encode(plaintext, "")
    theirs = best_of(ROUNDS, lambda: [hasher.verify(plaintext, encoded) for _ in range(CHECKS)]) / CHECKS
    report("digest verify, drf-api-key (SHA-512), µs/key", theirs * 1e6, " µs")
    report("engine / drf-api-key verify time (ratio)", ours / theirs)


if __name__ == "__main__":
    main()
