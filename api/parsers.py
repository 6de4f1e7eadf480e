import json

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

# The largest body the API reads: a referral is a few kilobytes.
MAX_BODY = 64 * 1024


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is larger than 64 KiB.")
    default_code = "too_large"


class LimitedJSONParser(JSONParser):
    """JSON of at most MAX_BODY bytes, whatever the Content-Length said (or did not)."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(MAX_BODY + 1) if stream is not None else b""
        if len(raw) > MAX_BODY:
            raise PayloadTooLarge
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            # The parser's own message would quote the body: say only that it is not JSON.
            raise ParseError(_("The request body is not valid JSON."), code="parse_error") from exc


def _refuse_constant(name: str):
    raise ValueError("NaN and Infinity are not JSON")
