import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Dead letter (retry window over)")
    DISCARDED = "discarded", _("Discarded by an administrator")


class WebhookEndpoint(models.Model):
    """A receiver outside Linli (a department's system, the city platform): its URL, its own
    signing secret (encrypted at rest, shown once), the topics it takes, and whose it is."""

    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("URL"), max_length=500)
    secret_enc = models.TextField(editable=False)
    secret_prefix = models.CharField(_("secret starts with"), max_length=12, editable=False)
    department = models.ForeignKey("governance.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("owner (department)"))
    owner_name = models.CharField(_("owner"), max_length=120, blank=True,
                                  help_text=_("Who runs the receiver when it is no department, e.g. the city platform."))
    topics = models.JSONField(_("topics"), default=list, blank=True,
                              help_text=_("The event topics it receives, e.g. [\"order.closed\"]; empty: all."))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def takes(self, topic: str) -> bool:
        return not self.topics or topic in self.topics


class OutboxMessage(models.Model):
    """One outbound HTTP delivery (webhook, upstream platform, SMS provider).
    Written in the caller's transaction; a task posts it, signed, retrying with backoff for the
    retry window, then it is a dead letter. A message waits for the one before it in its stream.
    Receivers deduplicate on `event_id` (sent as the X-Linli-Event-Id header)."""

    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, unique=True, editable=False)
    topic = models.CharField(_("topic"), max_length=60, db_index=True)
    endpoint = models.ForeignKey(WebhookEndpoint, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="messages", verbose_name=_("endpoint"))
    stream = models.CharField(_("stream"), max_length=120, blank=True, default="", db_index=True,
                              help_text=_("Messages of one stream are delivered in order (e.g. one order's events)."))
    url = models.URLField(_("URL"), max_length=500)
    payload = models.JSONField(_("payload"))
    sealed = models.JSONField(_("sealed fields"), default=dict, blank=True, editable=False,
                              help_text=_("Fields of the body kept encrypted until the request (a mobile number)."))
    secret_name = models.CharField(_("signing secret"), max_length=60, default="default",
                                   help_text=_("Name of the secret the body is signed with (from settings)."))
    status = models.CharField(_("status"), max_length=10, choices=OutboxStatus.choices,
                              default=OutboxStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    give_up_at = models.DateTimeField(_("retried until"), null=True, blank=True)
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
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M:%S} {self.status_code or self.error[:40]}"
