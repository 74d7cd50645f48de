"""The limits a file is read under, and the sentences that say which one it broke.

Three limits, because a hostile file can attack three ways: by memory (a zip entry that
under-declares its size inflates to gigabytes), by CPU (an MP3 with 800,000 ID3 frames costs
mutagen minutes) and by simply never ending (a read that blocks). Every file gets the configured
CPU time and wall time plus an allowance for its size, since hashing is linear in it: a 50 GB
remux on a slow share is not a hostile file; once a file is hashed, parsing it gets the configured
limits afresh (a reader says when), so a hostile file cannot borrow its size's allowance. Memory
is an address-space limit on the whole worker (``RLIMIT_AS``).

Imports nothing but the standard library: the worker processes and the parsers they run use it.
"""

import math
import resource
from dataclasses import dataclass

MIB = 1024 * 1024
#: Bytes a worker may need a CPU second to hash at worst (OpenSSL without SHA extensions on a
#: small ARM board); modern CPUs hash ten to forty times faster.
HASH_RATE = 50 * MIB
#: Bytes a worker may need a wall second to read at worst (a slow network share).
READ_RATE = 10 * MIB
#: The address space a program a parser runs (ffprobe) may map: it maps ~300 MiB of shared
#: libraries before it reads a byte (384 MiB is the least it starts with here), while its
#: resident memory stays near 60 MiB.
PROGRAM_ADDRESS_SPACE = 512 * MIB


@dataclass(frozen=True)
class Limits:
    cpu_seconds: float
    timeout_seconds: float
    memory_bytes: int

    def cpu_for(self, size):
        """CPU seconds to sniff and hash a file of ``size`` bytes."""
        return self.cpu_seconds + size / HASH_RATE

    def timeout_for(self, size):
        """Wall seconds to sniff and hash a file of ``size`` bytes."""
        return self.timeout_seconds + size / READ_RATE

    @property
    def memory_reason(self):
        return f"needed more than {self.memory_bytes // MIB} MiB of memory to read"

    @property
    def cpu_reason(self):
        return f"used more than {self.cpu_seconds:g} s of CPU time to read"

    @property
    def timeout_reason(self):
        return f"took longer than {self.timeout_seconds:g} s to read"


def confine_worker(limits):
    """In a worker process, once: its address space, and no core file when a limit kills it.

    The hard limit is left at :data:`PROGRAM_ADDRESS_SPACE` (or lower) so that
    :func:`allow_program` can lift the soft one for a program a parser runs.
    """
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = max(limits.memory_bytes, PROGRAM_ADDRESS_SPACE)
    hard = ceiling if hard == resource.RLIM_INFINITY else min(hard, ceiling)
    resource.setrlimit(resource.RLIMIT_AS, (min(limits.memory_bytes, hard), hard))


def budget_cpu(seconds):
    """In a worker process, before each file: at most ``seconds`` more CPU time, then ``SIGXCPU``
    (whose default action ends the process; the pool reports the file and replaces the worker)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + seconds)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def allow_program():
    """``preexec_fn`` for a program a parser starts from a worker (``subprocess.run(...,
    preexec_fn=allow_program, timeout=...)``): the address space its shared libraries need, up to
    the worker's hard limit. Its CPU time stays bounded by the worker's soft limit (a new process
    starts at zero), and the pool's deadline kills it with the worker's process group."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
