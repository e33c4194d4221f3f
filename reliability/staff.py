"""
A staff member in the admin: signs in, then uploads files to an import page.

Only the standard library: a cookie jar of one dict, Django's CSRF token read
from the forms, and a multipart body built by hand.
"""

import html
import http.client
import re
import secrets
import select
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from .load import Answer

# An upload refused is answered in well under a second; this bounds one that
# is not, so the scenario still ends.
UPLOAD_TIMEOUT = 20
CHUNK = 256 * 1024


def _csrf_token(page):
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if match is None:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1).decode()


def _format_choices(page):
    """Return {"csv": "0", "xlsx": "1"}: the import form's format options."""
    select_tag = re.search(rb'<select name="format".*?</select>', page, re.S)
    options = re.findall(rb'<option value="([^"]*)"[^>]*>([^<]*)<', select_tag.group())
    return {label.decode().strip().lower(): value.decode() for value, label in options}


class StaffSession:
    """A signed-in staff member's cookies, and what they can do with them."""

    def __init__(self, port, username, password):
        self.port = port
        self.username = username
        self.password = password
        self.cookies = {}

    def request(self, method, path, body=b"", headers=None, timeout=30):
        """Send a request with the session's cookies; return an Answer."""
        headers = {"Cookie": self._cookie_header(), **(headers or {})}
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.putrequest(method, path)
            headers["Content-Length"] = str(len(body))
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.endheaders()
            self._send_until_answered(connection, body)
            response = connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            return Answer(0, time.monotonic() - started, error=type(error).__name__)
        finally:
            connection.close()
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return Answer(
            response.status,
            time.monotonic() - started,
            {name.lower(): value for name, value in response.getheaders()},
            content,
        )

    def _cookie_header(self):
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    @staticmethod
    def _send_until_answered(connection, body):
        """Send ``body``, stopping early if the server answers before the end.

        That is how nginx refuses a body too large: a 413 at once, without
        reading it; a browser then stops sending too.
        """
        view = memoryview(body)
        for offset in range(0, len(body), CHUNK):
            readable, _, _ = select.select([connection.sock], [], [], 0)
            if readable:
                return
            try:
                connection.sock.sendall(view[offset : offset + CHUNK])
            except (BrokenPipeError, ConnectionResetError):
                return  # the answer, if any, is still to be read

    def login(self):
        page = self.request("GET", "/admin/login/")
        form = urlencode(
            {
                "csrfmiddlewaretoken": _csrf_token(page.body),
                "username": self.username,
                "password": self.password,
                "next": "/admin/",
            }
        ).encode()
        answer = self.request(
            "POST",
            "/admin/login/?next=/admin/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"could not sign in to the admin: {answer.status}")

    def upload(self, import_path, filename, content, file_format):
        """Upload ``content`` to the import page ``import_path``; return an Answer."""
        page = self.request("GET", import_path)
        if page.status != 200:
            raise RuntimeError(f"the import page answered {page.status or page.error}")
        fields = {
            "csrfmiddlewaretoken": _csrf_token(page.body),
            "format": _format_choices(page.body)[file_format],
        }
        resource = re.search(rb'<select name="resource"', page.body)
        if resource is not None:
            fields["resource"] = "0"
        boundary = secrets.token_hex(16)
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
            f"\r\n\r\n{value}\r\n".encode()
            for name, value in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="import_file"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream'
            "\r\n\r\n".encode()
        )
        body = b"".join(parts) + content + f"\r\n--{boundary}--\r\n".encode()
        return self.request(
            "POST",
            import_path,
            body,
            {"Content-Type": f"multipart/form-data; boundary={boundary}"},
            timeout=UPLOAD_TIMEOUT,
        )


# Where the admin shows errors: a form field's list, or the import's own.
ERROR_LISTS = re.compile(
    rb'<ul class="errorlist[^>]*>(.*?)</ul>|<h2>Errors</h2>.*?<ul>(.*?)</ul>', re.S
)


def page_errors(page):
    """Return the error messages an admin page shows, as plain text."""
    found = [b" ".join(groups) for groups in ERROR_LISTS.findall(page)]
    text = b" ".join(found).decode(errors="replace")
    return html.unescape(re.sub(r"<[^>]+>|\s+", " ", text)).strip()
