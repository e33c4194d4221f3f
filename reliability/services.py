"""
Throw-away PostgreSQL and Redis servers, for faults the suite may inflict.

The machine's own servers (PostgreSQL on 5432, Redis on 6379) are shared and
never touched: each server here runs on a free port, keeps its files in the
run's temporary directory and is stopped, and its files removed, by
``close()``, which the runner calls in a ``finally``.

PostgreSQL refuses to run as root, so its programs run as the ``postgres``
user, who must be able to reach the data directory. They are started as that
user directly rather than through ``runuser``, which would stop itself when
the server it watches is frozen, and stay stopped after the thaw.
"""

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

# How Popen runs a program as postgres: that user, without root's groups.
AS_POSTGRES = {"user": "postgres", "group": "postgres", "extra_groups": []}


def free_port():
    """Return a loopback port nothing listens on (at the time of asking)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, seconds):
    """Wait until something accepts connections on ``port``; raise if not."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port} after {seconds} s")


def children_of(pid):
    """Return the pids of ``pid``'s direct children, read from /proc."""
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            text = Path(stat).read_text()
        except OSError:
            continue  # it exited meanwhile
        # The command name, in parentheses, may hold spaces: split after it.
        fields = text.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(stat.split("/")[2]))
    return found


def signal_each(pids, signum):
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def postgres_bin_dir():
    """Return the newest installed PostgreSQL's bin directory."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda path: int(path.split("/")[-2]),
    )
    if not candidates:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql")
    return Path(candidates[-1])


class Postgres:
    """A PostgreSQL cluster of its own, that can be stopped, started and frozen."""

    def __init__(self, root):
        self.bin = postgres_bin_dir()
        self.port = free_port()
        self.root = Path(root) / "postgres"
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.log = self.root / "server.log"
        self.process = None
        self.frozen = []

    @property
    def version(self):
        return self._run("postgres", "--version").stdout.strip()

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program, *args, timeout=60):
        return subprocess.run(
            [str(self.bin / program), *args],
            **AS_POSTGRES,
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def create(self):
        self.sockets.mkdir(parents=True)
        shutil.chown(self.root, "postgres")
        shutil.chown(self.sockets, "postgres")
        self._run("initdb", "-A", "trust", "-U", "postgres", "-D", str(self.data))
        self.start()

    def start(self):
        """Start the postmaster as a child of this process, and wait for it.

        Not through ``pg_ctl start``, whose server would be left to init to
        reap: as a child it is reaped here, and its group is easy to kill.
        """
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                [str(self.bin / "postgres"),
                 "-D", str(self.data), "-p", str(self.port), "-k", str(self.sockets),
                 "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                 "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
                stdout=log,
                stderr=log,
                start_new_session=True,
                **AS_POSTGRES,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        ready = [str(self.bin / "pg_isready"), "-q", "-h", "127.0.0.1"]
        while subprocess.run([*ready, "-p", str(self.port)]).returncode:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not start: see {self.log}")
            time.sleep(0.1)

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")
        self.process.wait(timeout=30)

    def busy_connections(self):
        """Return how many of the app's connections are in a query or a transaction."""
        result = self._run(
            "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            "-Atc",
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = "
            "'client backend' AND pid <> pg_backend_pid() AND state <> 'idle'",
            timeout=10,
        )  # fmt: skip
        return int(result.stdout)

    def freeze(self):
        """Stop the postmaster, then every backend, so nothing answers or forks."""
        postmaster = self.process.pid
        os.kill(postmaster, signal.SIGSTOP)
        self.frozen = [postmaster, *children_of(postmaster)]
        signal_each(self.frozen[1:], signal.SIGSTOP)

    def thaw(self):
        signal_each(reversed(self.frozen), signal.SIGCONT)
        self.frozen = []

    def close(self):
        """Stop the cluster whatever state it is in, and remove its files."""
        self.thaw()
        if self.process is not None and self.process.poll() is None:
            try:
                self.stop(mode="immediate")
            except (subprocess.SubprocessError, OSError):
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


class Redis:
    """A Redis server of its own, with nothing saved to disk."""

    def __init__(self, root):
        self.port = free_port()
        self.dir = Path(root) / "redis"
        self.process = None

    @property
    def version(self):
        output = subprocess.run(
            ["redis-server", "--version"], capture_output=True, text=True
        ).stdout
        return output.split()[2].removeprefix("v=")

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        wait_for_port(self.port, 10)

    def kill(self):
        """Kill it as a crash would: no shutdown, the cache's contents lost."""
        self.process.kill()
        self.process.wait()

    def pause(self):
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def close(self):
        if self.process is not None and self.process.poll() is None:
            self.resume()
            self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)
