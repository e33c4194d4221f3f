"""Serve talentzone the production way: nginx in front of gunicorn.

    python deploy/serve.py run [--listen 127.0.0.1:8000]     # what `make serve` runs
    python deploy/serve.py config --listen 80 --app HOST:PORT ... > nginx.conf

``run`` starts gunicorn on a free loopback port and nginx (Debian's package)
on the listening address in front of it, both in the foreground, and stops
both when either exits or on Ctrl-C. ``config`` prints deploy/nginx.conf
filled in for other machines (docs/deploy.md).

Only the standard library: it runs before anything else is known to work.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx.conf"
RUNTIME_DIR = ROOT / "var" / "nginx"
# Seconds a client may stall in sending a request or reading a response.
CLIENT_TIMEOUT = 10
# Above the app's own DJANGO_IMPORT_MAX_MB (20), so that the app's message, not
# nginx's 413, answers files a little too large.
MAX_BODY_MB = 25


def render(
    listen,
    apps,
    static_root,
    runtime_dir,
    *,
    user=None,
    client_timeout=CLIENT_TIMEOUT,
    max_body_mb=MAX_BODY_MB,
    logs_to_stderr=False,
):
    """Return deploy/nginx.conf with its placeholders filled in.

    ``user`` is whom nginx's workers run as when it is started as root
    (``nobody`` if not given); started by anyone else, they run as that user.
    """
    runtime_dir = Path(runtime_dir)
    values = {
        "USER": f"user {user};" if user else "",
        "RUNTIME_DIR": str(runtime_dir),
        "ERROR_LOG": "stderr" if logs_to_stderr else str(runtime_dir / "error.log"),
        "ACCESS_LOG": "/dev/stdout" if logs_to_stderr else "off",
        "MIME_TYPES": "/etc/nginx/mime.types",
        "CLIENT_TIMEOUT": str(client_timeout),
        "MAX_BODY_MB": str(max_body_mb),
        "APP_SERVERS": "\n".join(
            f"        server {app} max_fails=3 fail_timeout=10s;" for app in apps
        ),
        "LISTEN": listen,
        "STATIC_ROOT": str(Path(static_root).resolve()),
    }
    text = TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    unfilled = re.findall(r"@[A-Z_]+@", text)
    if unfilled:
        raise ValueError(f"unfilled placeholders in {TEMPLATE}: {unfilled}")
    return text


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(address, seconds, process):
    """Wait until ``address`` accepts connections; fail if ``process`` exits."""
    host, port = address.rsplit(":", 1)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args[0]} exited with {process.returncode}")
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing answers on {address} after {seconds} s")


def nginx_binary():
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None
    )
    if found is None:
        raise SystemExit("nginx is missing: apt-get install nginx")
    return found


def run(options):
    """Serve until interrupted: gunicorn behind nginx, both stopped together."""
    nginx = nginx_binary()
    workers = os.environ.get("WEB_CONCURRENCY") or str(2 * os.cpu_count() + 1)
    app = f"127.0.0.1:{free_port()}"
    runtime_dir = options.runtime_dir.resolve()
    runtime_dir.mkdir(parents=True, exist_ok=True)
    config = runtime_dir / "nginx.conf"
    config.write_text(
        render(
            options.listen,
            [app],
            options.static_root,
            runtime_dir,
            # Run as root, its workers would be "nobody", who may not read a
            # checkout under /root.
            user="root" if os.geteuid() == 0 else None,
            logs_to_stderr=True,
        )
    )
    # nginx passes the client's address in X-Forwarded-For: one proxy.
    env = {"DJANGO_PROXY_COUNT": "1", **os.environ}
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "talentzone.wsgi:application",
            f"--bind={app}",
            f"--workers={workers}",
            "--graceful-timeout=30",
            "--timeout=120",
            "--access-logfile=-",
        ],
        cwd=ROOT,
        env=env,
    )
    processes = [gunicorn]
    try:
        wait_for_port(app, 60, gunicorn)
        processes.append(
            subprocess.Popen(
                [nginx, "-p", str(runtime_dir), "-c", str(config), "-g", "daemon off;"]
            )
        )
        wait_for_port(options.listen_address, 10, processes[1])
        print(
            f"Serving http://{options.listen_address}/ through nginx, "
            f"{workers} gunicorn workers on {app} (Ctrl-C stops both).",
            flush=True,
        )
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        return 1  # one of them died: stop the other
    except KeyboardInterrupt:
        return 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=35)
            except subprocess.TimeoutExpired:
                process.kill()


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("run", help="serve here: nginx and gunicorn")
    serve.add_argument("--listen", default="127.0.0.1:8000")
    serve.add_argument("--static-root", default=ROOT / "staticfiles", type=Path)
    serve.add_argument(
        "--runtime-dir",
        default=RUNTIME_DIR,
        type=Path,
        help="nginx's configuration, pid and temporary files",
    )
    config = commands.add_parser("config", help="print nginx.conf for elsewhere")
    config.add_argument("--listen", default="80")
    config.add_argument(
        "--app", action="append", required=True, help="an app server, HOST:PORT"
    )
    config.add_argument("--static-root", required=True, type=Path)
    config.add_argument("--runtime-dir", default="/var/lib/talentzone-nginx")
    config.add_argument("--user", default="www-data", help="nginx's workers' user")
    options = parser.parse_args(argv)
    if options.command == "run":
        options.listen_address = (
            options.listen if ":" in options.listen else f"127.0.0.1:{options.listen}"
        )
    return options


def main(argv=None):
    options = parse_args(argv)
    if options.command == "config":
        config = render(
            options.listen,
            options.app,
            options.static_root,
            options.runtime_dir,
            user=options.user,
        )
        print(config)
        return 0
    return run(options)


if __name__ == "__main__":
    sys.exit(main())
