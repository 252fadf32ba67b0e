"""The primitives every chokepoint (`<app>/access.py`, see docs/permissions.md) ends with:
an anonymous visitor reaches nothing, and a missing object and an object that is not the
user's give the same 404, so that ids cannot be probed."""

from __future__ import annotations

from typing import Protocol, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

M = TypeVar("M", bound=Model)


class Visitor(Protocol):
    @property
    def is_authenticated(self) -> bool: ...


def not_found() -> Http404:
    """The one answer for "missing" and for "not yours"."""
    return Http404(_("Not found"))


def ensure_signed_in(user: Visitor) -> None:
    """An anonymous visitor reaches no protected object."""
    if not user.is_authenticated:
        raise not_found()


def first_or_404(queryset: QuerySet[M]) -> M:
    """The object the chokepoint's query found, else 404."""
    found = queryset.first()
    if found is None:
        raise not_found()
    return found
