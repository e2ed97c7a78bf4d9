"""A test e-mail backend that fails the first N tries of each message, then delivers, and logs every try to a
file, so a test can count sends made in another process (a real Celery worker).

Environment (read at each send, so a worker started with it obeys too):
  FLAKY_EMAIL_LOG       file to append one JSON line per try: {"ok": bool, "message_id", "to", "subject"}
  FLAKY_EMAIL_FAILURES  how many tries of each message (by Message-ID) fail first; negative: every try fails
A message to an address starting with "unreachable" always fails."""

import fcntl
import json
import os
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class ProviderOutage(ConnectionError):
    """What an e-mail provider's client raises when the provider is down."""


class FlakyBackend(BaseEmailBackend):
    def send_messages(self, messages):
        log = Path(os.environ["FLAKY_EMAIL_LOG"])
        failures = int(os.environ.get("FLAKY_EMAIL_FAILURES", "0"))
        with log.open("a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # the count and the append are one step across processes
            handle.seek(0)
            earlier = [json.loads(line) for line in handle if line.strip()]
            ok = True
            for message in messages:
                message.message()  # what a real backend does first: a bad header raises here
                message_id = message.extra_headers.get("Message-ID", "")
                failed_before = sum(1 for e in earlier if e["message_id"] == message_id and not e["ok"])
                unreachable = any(address.startswith("unreachable") for address in message.to)
                ok = ok and not unreachable and 0 <= failures <= failed_before
                entry = {"ok": ok, "message_id": message_id, "to": list(message.to), "subject": message.subject}
                handle.write(json.dumps(entry) + "\n")
            handle.flush()
        if not ok:
            raise ProviderOutage("the e-mail provider is unavailable (test)")
        return len(messages)


def sent(log: Path) -> list[dict]:
    """The successful sends in the log, in order."""
    if not log.exists():
        return []
    return [entry for line in log.read_text().splitlines() if line.strip() and (entry := json.loads(line))["ok"]]


def tries(log: Path) -> list[dict]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
