"""planwatch.middleware.body_limit in front of the answer form: the whole-body limit."""
from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

from reporting.models import Submission


class CountingStream(io.BytesIO):
    """A request body that records how much of it the server read."""

    read_bytes = 0

    def read(self, size=-1):
        data = super().read(size)
        self.read_bytes += len(data)
        return data

    def readline(self, size=-1):
        data = super().readline(size)
        self.read_bytes += len(data)
        return data


def post(path: str, body: bytes, declared: int):
    stream = CountingStream(body)
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
               "wsgi.input": stream, "CONTENT_LENGTH": str(declared), "wsgi.url_scheme": "http",
               "CONTENT_TYPE": "multipart/form-data; boundary=xyz", "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "127.0.0.1", "wsgi.errors": io.StringIO()}
    status = []
    body_out = b"".join(WSGIHandler()(environ, lambda s, h, *a: status.append(s)))
    return status[0], body_out.decode(), stream


@pytest.mark.django_db(transaction=True)
def test_a_body_over_the_limit_is_refused_unread(request_open, unit_b):
    token = request_open.targets.get(unit=unit_b).token
    status, text, stream = post(f"/t/{token}/", b"x" * 1000, settings.REQUEST_MAX_BYTES + 1)
    assert status.startswith("413") and "quá lớn" in text and f"{settings.REQUEST_MAX_BYTES // 2**20} MB" in text
    assert stream.read_bytes == 0 and not Submission.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_body_within_the_limit_goes_on(request_open, unit_b):
    token = request_open.targets.get(unit=unit_b).token
    body = b"--xyz\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\ndraft\r\n--xyz--\r\n"
    status, _text, stream = post(f"/t/{token}/", body, len(body))
    assert status.startswith("302") and stream.read_bytes == len(body)


def test_the_limit_takes_a_plan_and_five_largest_files():
    from planwatch.lib.uploads import MAX_BYTES

    assert settings.REQUEST_MAX_BYTES > max(settings.PLAN_UPLOAD_MAX_BYTES, 5 * MAX_BYTES)
