"""Builders shared by this app's tests."""

from __future__ import annotations

import email
import email.policy
import signal
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from django.core.management import call_command


@dataclass
class Inbox:
    """What the SMTP server received, parsed."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_worker() -> None:
    """`zhurnal db_worker --batch`: process everything due now, then return."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", "*"
        )
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
