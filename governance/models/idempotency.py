from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """A sender's id for a request that may be retried (an order's external id, an import's
    key): who sent it first, a fingerprint of what they sent, and what it made. A retry by the
    same caller with the same body gets the first result; anyone else gets a 409 with no data
    (governance.idempotency)."""

    scope = models.CharField(_("scope"), max_length=80)
    key = models.CharField(_("key"), max_length=128)
    caller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("caller"))
    fingerprint = models.CharField(_("body fingerprint"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique")]

    def __str__(self):
        return f"{self.scope}:{self.key}"
