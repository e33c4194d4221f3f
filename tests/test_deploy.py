"""nginx in front of the app (deploy/nginx.conf, deploy/serve.py).

The configuration is checked by nginx itself, then run for real in front of
the test server: compression, static files, the body limit, and a stalled
client cut off without reaching the app. `make chaos` (reliability/) puts the
whole stack through load and faults.
"""

import gzip
import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))
import serve  # noqa: E402  (deploy/ is scripts, not a package)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HASHED = "programs/site.0123456789ab.css"


@pytest.fixture(scope="module")
def nginx_binary():
    if not os.access(NGINX, os.X_OK):
        if os.environ.get("CI"):
            pytest.fail("nginx is missing (CI=1 requires these tests to run)")
        pytest.skip("nginx is missing: apt-get install nginx")
    return NGINX


def render(tmp_path, apps, **options):
    static = tmp_path / "static"
    (static / "programs").mkdir(parents=True, exist_ok=True)
    css = b"body { color: black; }\n" * 100
    (static / HASHED).write_bytes(css)
    (static / f"{HASHED}.gz").write_bytes(gzip.compress(css))
    runtime = tmp_path / "runtime"
    runtime.mkdir(exist_ok=True)
    port = serve.free_port()
    config = tmp_path / "nginx.conf"
    user = "root" if os.geteuid() == 0 else None
    config.write_text(
        serve.render(f"127.0.0.1:{port}", apps, static, runtime, user=user, **options)
    )
    return config, port


def test_the_configuration_is_valid_nginx(nginx_binary, tmp_path):
    """nginx -t accepts it, with one app server or several."""
    config, _port = render(tmp_path, ["10.0.0.11:8000", "10.0.0.12:8000"])
    result = subprocess.run(
        [nginx_binary, "-t", "-p", str(tmp_path), "-c", str(config)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_every_placeholder_is_filled(tmp_path):
    config, _port = render(tmp_path, ["127.0.0.1:9"])
    text = config.read_text()
    assert "@" not in text
    assert "server 127.0.0.1:9 max_fails=3" in text


@pytest.fixture
def proxy(nginx_binary, tmp_path, live_server):
    """nginx on a free port in front of the test server, cutting off clients
    that stall for a second."""
    app = live_server.url.removeprefix("http://")
    config, port = render(tmp_path, [app], client_timeout=1, max_body_mb=1)
    process = subprocess.Popen(
        [nginx_binary, "-p", str(tmp_path), "-c", str(config), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    serve.wait_for_port(f"127.0.0.1:{port}", 10, process)
    yield port
    process.terminate()
    process.wait(timeout=10)


def get(port, path, headers=None, method="GET", body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    content = response.read()
    connection.close()
    return response, content


@pytest.mark.django_db(transaction=True)
def test_pages_come_through_compressed(proxy):
    """HTML from the app is gzipped for clients that accept it."""
    response, content = get(proxy, "/", {"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert b"<html" in gzip.decompress(content)
    assert "Accept-Encoding" in response.getheader("Vary")
    # The app's own headers come through untouched.
    assert "default-src 'none'" in response.getheader("Content-Security-Policy")


def test_hashed_static_files_are_served_by_nginx_for_a_year(proxy):
    """nginx serves static files itself, the precompressed copy, immutable."""
    response, content = get(proxy, f"/static/{HASHED}", {"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert "immutable" in response.getheader("Cache-Control")
    assert gzip.decompress(content).startswith(b"body {")


def test_a_body_over_the_limit_is_refused_before_the_app(proxy):
    """A body larger than the limit gets 413 as soon as its length is known."""
    response, _content = get(
        proxy, "/admin/login/", method="POST", body=b"x" * (2 * 1024 * 1024)
    )
    assert response.status == 413


def test_a_stalled_client_is_cut_off_and_others_are_served(proxy):
    """Headers that stop coming hold nothing: nginx closes the connection after
    its timeout, and a request alongside is answered meanwhile."""
    stalled = socket.create_connection(("127.0.0.1", proxy), timeout=5)
    stalled.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and no more
    started = time.monotonic()
    response, _content = get(proxy, "/robots.txt")
    assert response.status == 200
    assert stalled.recv(1024) == b""  # closed by nginx
    assert time.monotonic() - started < 4
    stalled.close()
