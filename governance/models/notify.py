from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An inbox row. Rows first, pushes second: a lost push never loses the message."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             verbose_name=_("recipient"))
    kind = models.CharField(_("kind"), max_length=40, default="info")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    # Same key twice for the same user is one notification (retried tasks, repeated sweeps).
    dedup_key = models.CharField(max_length=120, null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    delivered = models.JSONField(_("delivered"), default=dict, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedup_key"], name="notification_dedup_per_user",
                                    condition=models.Q(dedup_key__isnull=False))
        ]

    def __str__(self):
        return self.title


class SmsCode(models.Model):
    """A one-time login code; only its hash is kept."""

    mobile_hash = models.CharField(max_length=64, db_index=True)
    # Keyed hash of the requesting IP (per-IP rate limit), never the address itself.
    ip_hash = models.CharField(max_length=64, blank=True, db_index=True)
    code_hash = models.CharField(max_length=128)
    purpose = models.CharField(max_length=20, default="login")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SMS code")
        verbose_name_plural = _("SMS codes")

    def __str__(self):
        return f"{self.purpose} code {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class ContactMessage(models.Model):
    """An SMS to a person who has no account (a care contact, a caller who reported by phone),
    a row first (governance.notify.contact): sent when due — at once, or after the quiet hours
    for what is not urgent — and again by the sweep if the broker or the provider was down.
    The number is kept encrypted like every resident's number."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    phone_enc = models.TextField(editable=False)
    phone_masked = models.CharField(_("phone"), max_length=30, editable=False)
    text = models.TextField(_("text"))
    kind = models.CharField(_("kind"), max_length=40)
    urgent = models.BooleanField(_("urgent"), default=False)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    dedup_key = models.CharField(max_length=160, null=True, blank=True, unique=True)
    not_before = models.DateTimeField(_("not before"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("message to a contact")
        verbose_name_plural = _("messages to contacts")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.phone_masked} {self.kind}"
