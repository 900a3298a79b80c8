# ruff: noqa: S603 — runs the benchmark's own commands, no user input.
"""Child processes whose peak memory the benchmark reports.

Linux starts a child's peak RSS (`ru_maxrss`, as `wait4` returns it) at the peak of the process
it was forked from: the memory of the parent counts as the child's own. The benchmark process
holds hundreds of MB after a load in the same run (735 MB at 1,000,000 pledges), so every child
it measured reported at least that. Each measured command is therefore started by a small
launcher process, which forks it and reports the command's own peak.
"""

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Run as `python -c LAUNCHER report-file command...`: the command inherits the launcher's
# standard streams; its exit status becomes the launcher's.
LAUNCHER = """\
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_pid, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


@dataclass
class Child:
    """A measured command: its process (through the launcher) and where its peak is written."""

    process: subprocess.Popen
    report: Path

    def wait(self) -> tuple[int, float]:
        """Wait for the command: (exit status, its peak RSS in MB)."""
        status = self.process.wait()
        try:
            kilobytes = int(self.report.read_text() or 0)
        finally:
            self.report.unlink(missing_ok=True)
        return status, kilobytes / 1024


def start(command: Sequence[str], **popen: Any) -> Child:
    """Start `command` (with `subprocess.Popen`'s `popen` arguments) to measure its peak RSS."""
    handle, name = tempfile.mkstemp(prefix="bench-rss-")
    os.close(handle)
    process = subprocess.Popen([sys.executable, "-c", LAUNCHER, name, *command], **popen)
    return Child(process, Path(name))
