from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from zhurnal.core.formats import full_name, short_name


class User(AbstractUser):
    """A login. What the person may do comes from roles, class teacher duty and family links."""

    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=[("uk", "Українська"), ("en", "English"), ("ru", "Русский")],
        default="uk",
    )
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Log-in by e-mail needs each address to name one account.
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_unique",
                condition=~models.Q(email=""),
            )
        ]

    @property
    def full_name(self) -> str:
        return full_name(self.last_name, self.first_name, self.patronymic) or self.username

    @property
    def short_name(self) -> str:
        return short_name(self.last_name, self.first_name, self.patronymic) or self.username

    def __str__(self) -> str:
        return self.full_name
