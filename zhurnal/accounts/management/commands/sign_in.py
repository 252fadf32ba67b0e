"""`zhurnal sign_in`: an operator's help for a person who cannot sign in, each step audited:
end a lockout early (`--unlock`) or remove a lost second factor (`--reset-second-factor`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhurnal.accounts.lockout import login_lockout_reset
from zhurnal.accounts.models import User
from zhurnal.accounts.twofactor import second_factor_disable


class Command(BaseCommand):
    help = "Unlock a login locked out by wrong passwords, or reset its lost second factor."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--unlock", action="store_true", help="end the lockout now")
        parser.add_argument(
            "--reset-second-factor",
            action="store_true",
            help="remove the authenticator and recovery codes (the user enrols again)",
        )
        parser.add_argument("--reason", required=True, help="why, for the audit trail")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username__iexact=options["username"]).first()
        if user is None:
            raise CommandError(f"No login {options['username']!r}.")
        if not options["unlock"] and not options["reset_second_factor"]:
            raise CommandError("Say what to do: --unlock and/or --reset-second-factor.")
        if options["unlock"]:
            removed = login_lockout_reset(actor=None, user=user, reason=options["reason"])
            self.stdout.write(f"{user.username}: unlocked ({removed} attempt record(s) removed)")
        if options["reset_second_factor"]:
            second_factor_disable(actor=None, user=user, reason=options["reason"])
            self.stdout.write(f"{user.username}: second factor removed; enrols at next login")
