"""Take the screenshots in this folder: the seeded site, in both languages.

Run `make screenshots`. It loads the seeds into a throw-away database, serves
it with Django's development server, and photographs each page with the
system Chromium (never a downloaded one) at desktop and phone widths.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = Path(__file__).resolve().parent
PAGES = {
    "home": "/",
    "zone": "/zone/",
    "timeline": "/timeline/",
    # A list with nothing named on file, which says what the report announces.
    "experts": "/experts/",
    "projects-in-qingpu": "/projects/?district=qingpu",
    "agreement": "/agreements/sast-qingpu-strategic-cooperation-2023/",
    "stats": "/stats/",
}
LANGUAGES = {"en": "", "zh-hans": "/zh-hans"}
WIDTHS = {"desktop": 1280, "phone": 375}
# Phone shots only of the pages whose layout changes most on a small screen:
# the list shows its results first, with the filters folded.
PHONE_PAGES = ("home", "zone", "experts", "projects-in-qingpu")


def main():
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not chromium:
        sys.exit("No system Chromium: apt-get install chromium (or set CHROMIUM_PATH)")
    with tempfile.TemporaryDirectory() as scratch:
        env = {
            **os.environ,
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{scratch}/screenshots.sqlite3",
        }
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
        subprocess.run([*manage, "load_seeds"], env=env, check=True)
        port = _free_port()
        server = subprocess.Popen(
            [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(f"{base}/healthz")
            _photograph(chromium, base)
        finally:
            server.terminate()
            server.wait()


def _photograph(chromium, base):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        for width_name, width in WIDTHS.items():
            page = browser.new_page(viewport={"width": width, "height": 900})
            for language, prefix in LANGUAGES.items():
                for name, path in PAGES.items():
                    if width_name == "phone" and name not in PHONE_PAGES:
                        continue
                    page.set_viewport_size({"width": width, "height": 900})
                    page.goto(f"{base}{prefix}{path}")
                    # As tall as the page: sections drawn only near the
                    # viewport (content-visibility: auto) are then all drawn.
                    height = page.evaluate("document.documentElement.scrollHeight")
                    page.set_viewport_size({"width": width, "height": height})
                    target = OUTPUT / f"{name}.{language}.{width_name}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target.relative_to(ROOT))
            page.close()
        browser.close()


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


if __name__ == "__main__":
    main()
