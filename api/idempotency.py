"""Idempotency-Key: a retried POST gets the first answer and changes nothing.

A partner whose connection dropped after sending cannot know whether CMM received the
referral; it sends the same request again with the same key. The key's row is written
before the work, in the work's transaction: a concurrent retry waits on the unique index
until the first commits (and then replays its answer) or rolls back (and then does the work
itself). Only successful answers are kept; a refused request leaves nothing behind.
"""

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from api.models import ApiClient, IdempotentRequest

HEADER = "Idempotency-Key"
MAX_KEY = 200


class KeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _key(request) -> str:
    key = request.headers.get(HEADER, "").strip()
    if not key:
        raise ValidationError(
            {HEADER: [_("Send an Idempotency-Key header with every POST.")]},
            code="idempotency_key_missing",
        )
    if len(key) > MAX_KEY or not key.isprintable():
        raise ValidationError(
            {HEADER: [_("The Idempotency-Key must be at most 200 printable characters.")]},
            code="idempotency_key_invalid",
        )
    return key


def _replay(stored: IdempotentRequest, fingerprint: str) -> Response:
    if stored.fingerprint != fingerprint:
        raise KeyReused(_("This Idempotency-Key was used for another request."))
    response = Response(stored.response, status=stored.status)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(request, work: Callable[[], Response]) -> Response:
    """Run `work` once per (client, Idempotency-Key), in one transaction with its key."""
    client: ApiClient = request.auth
    key = _key(request)
    fingerprint = _fingerprint(request)
    with transaction.atomic():
        stored = IdempotentRequest.objects.filter(client=client, key=key).first()
        if stored is not None:
            return _replay(stored, fingerprint)
        try:
            with transaction.atomic():
                row = IdempotentRequest.objects.create(
                    client=client, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            row = None
        if row is None:
            # Another request with this key committed while this one waited.
            return _replay(IdempotentRequest.objects.get(client=client, key=key), fingerprint)
        response = work()
        row.status = response.status_code
        row.response = response.data
        row.save(update_fields=["status", "response"])
        return response
