"""SMS through a provider interface. settings.SMS_BACKEND picks the class:

* `FileSmsBackend` (default): appends each message to settings.SMS_FILE_PATH (the demo's
  var/sms.log — read your one-time codes there); with SMS_FILE_PATH = None (tests) the
  messages are kept in memory in `governance.notify.sms.outbox`.
* `HttpSmsBackend`: posts `{"mobile", "text", "purpose"}` as JSON to SMS_HTTP_URL through
  the outbox (signed with SMS_HTTP_SECRET, retried, delivery history in admin).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SmsMessage:
    mobile: str
    text: str
    purpose: str
    at: datetime


# Messages "sent" while SMS_FILE_PATH is None (tests read them here).
outbox: list[SmsMessage] = []
_file_lock = threading.Lock()


class SmsBackend:
    def send(self, *, mobile: str, text: str, purpose: str = "notify") -> None:
        raise NotImplementedError


class FileSmsBackend(SmsBackend):
    def send(self, *, mobile, text, purpose="notify"):
        message = SmsMessage(mobile, text, purpose, timezone.now())
        path = getattr(settings, "SMS_FILE_PATH", None)
        if path is None:
            outbox.append(message)
            return
        line = f"{timezone.localtime(message.at).isoformat(timespec='seconds')}\t{mobile}\t{purpose}\t{text}\n"
        with _file_lock, open(path, "a", encoding="utf-8") as fh:
            fh.write(line)


class HttpSmsBackend(SmsBackend):
    def send(self, *, mobile, text, purpose="notify"):
        from governance import outbox as http_outbox

        url = getattr(settings, "SMS_HTTP_URL", "")
        if not url:
            raise RuntimeError("HttpSmsBackend needs SMS_HTTP_URL")
        # The number joins the body only when the request is made: the table keeps it encrypted.
        http_outbox.enqueue(topic="sms", url=url, payload={"text": text, "purpose": purpose},
                            sealed={"mobile": mobile}, secret_name="sms")


def get_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, mobile: str, text: str, purpose: str = "notify") -> None:
    get_backend().send(mobile=mobile, text=text, purpose=purpose)
