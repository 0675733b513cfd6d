"""Forks PeaceWatch servers for the crash harness (see harness.py): imports the package once,
then reads commands on stdin, one a line, and answers each on stdout:

- ``ping``: answers ``pong``;
- ``start``: forks a child that runs what ``peacewatch serve`` runs, answers its pid;
- ``reap PID``: waits for that child to end (after the harness killed it), answers its status.

The server's settings come from the environment (PEACEWATCH_DATABASE_URL, PEACEWATCH_PORT).
"""

from __future__ import annotations

import os
import sys
import threading

import uvicorn  # noqa: F401 - imported here so that every forked server finds it loaded

import peacewatch.api
import peacewatch.api.app
from peacewatch import cli
from peacewatch.settings import Settings


def main() -> None:
    """Serve commands until stdin closes."""
    del peacewatch.api  # imported only to be loaded before the forks
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "ping":
            print("pong", flush=True)
        elif command == "start":
            # Forking is safe only while this process has no other thread (and no database
            # connection: the child opens its own).
            assert threading.active_count() == 1, threading.enumerate()
            pid = os.fork()
            if pid == 0:
                os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # the log, not our answers
                try:
                    cli._serve(Settings())
                finally:
                    os._exit(0)
            print(pid, flush=True)
        elif command == "reap":
            _, status = os.waitpid(int(arg), 0)
            print(status, flush=True)
        else:
            print(f"unknown command {command!r}", flush=True)


if __name__ == "__main__":
    main()
