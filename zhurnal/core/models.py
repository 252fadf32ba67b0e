from __future__ import annotations

from django.db import models


class TimestampedModel(models.Model):
    """Every stored record knows when it was made and last changed."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
