from django.db import models

from cmm.core.exceptions import Conflict


def lock_version(queryset: models.QuerySet, pk: int, version: int, stale_message: str):
    """Lock the row for this transaction and check it is the version the user saw: a form
    showing an older version is refused with `stale_message`, never applied silently."""
    obj = queryset.select_for_update().get(pk=pk)
    if obj.version != version:
        raise Conflict(stale_message)
    return obj
