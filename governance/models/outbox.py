import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed (gave up)")


class OutboxMessage(models.Model):
    """One outbound HTTP delivery (webhook, upstream platform, SMS provider).
    Written in the caller's transaction; a task posts it, signed, retrying with backoff.
    Receivers deduplicate on `event_id` (sent as the X-Linli-Event-Id header)."""

    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, unique=True, editable=False)
    topic = models.CharField(_("topic"), max_length=60, db_index=True)
    url = models.URLField(_("URL"), max_length=500)
    payload = models.JSONField(_("payload"))
    secret_name = models.CharField(_("signing secret"), max_length=60, default="default",
                                   help_text=_("Name of the secret the body is signed with (from settings)."))
    status = models.CharField(_("status"), max_length=10, choices=OutboxStatus.choices,
                              default=OutboxStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("max attempts"), default=8)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.topic} → {self.url} ({self.get_status_display()})"


class OutboxDelivery(models.Model):
    """One attempt to deliver a message: the delivery history shown in admin."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="deliveries")
    at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error[:40]}"
