"""Requests through the real WSGI handler, for the outage tests."""

import io
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from django.core.wsgi import get_wsgi_application


class Browser:
    """Requests through the real WSGI handler, as gunicorn would send them: unlike the test
    client, it opens and closes database connections at the start and end of each request
    (close_old_connections), which is what recovery after a restart depends on. It reuses a
    test client's login (the `login` fixture) and sends the CSRF token like a browser."""

    def __init__(self, logged_in_client) -> None:
        self.app = get_wsgi_application()
        self.cookies = {
            name: morsel.value for name, morsel in logged_in_client.cookies.items() if morsel.value
        }
        self.csrf_token = ""

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urlencode({**(data or {}), "csrfmiddlewaretoken": self.csrf_token}).encode()
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "443",
            "HTTP_HOST": "testserver",
            "HTTP_ORIGIN": "https://testserver",
            "HTTP_REFERER": f"https://testserver{path}",
            "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body) if method == "POST" else 0),
            "wsgi.input": io.BytesIO(body if method == "POST" else b""),
            "wsgi.errors": io.StringIO(),
            "wsgi.url_scheme": "https",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        started = {}

        def start_response(status, headers, exc_info=None):
            started["status"] = int(status.split()[0])
            started["headers"] = headers

        response = self.app(environ, start_response)
        try:
            text = b"".join(response).decode()
        finally:
            response.close()  # request_finished: the handler releases the connection
        for name, value in started["headers"]:
            if name.lower() == "set-cookie":
                for key, morsel in SimpleCookie(value).items():
                    self.cookies[key] = morsel.value
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        if token:
            self.csrf_token = token.group(1)
        return started["status"], text

    def get(self, path: str) -> tuple[int, str]:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> tuple[int, str]:
        return self.request("POST", path, data)
