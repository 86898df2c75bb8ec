"""Project middleware."""
from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _


def body_limit(get_response):
    """Refuse a request whose declared body is larger than REQUEST_MAX_BYTES (413), before
    anything reads it. Django caps form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams
    uploaded files to disk however many there are; each file's own limit is checked only
    once it has arrived. A body without Content-Length (chunked) is not read by Django."""

    def middleware(request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads such a body as empty
        if length > settings.REQUEST_MAX_BYTES:
            request.META["CONTENT_LENGTH"] = "0"  # nothing downstream may read it
            mb = settings.REQUEST_MAX_BYTES // 2**20
            return HttpResponse(
                _("Dữ liệu gửi lên quá lớn: tối đa %(mb)d MB mỗi lần gửi. Hãy gửi bớt tệp, hoặc gửi từng tệp một.")
                % {"mb": mb}, status=413, content_type="text/plain; charset=utf-8")
        return get_response(request)

    return middleware
