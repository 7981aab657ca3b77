import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A token for a department system, a device or a utility. It acts as its `user`
    (a service account whose assignments give the scope) and may be narrowed further
    by `scopes` (e.g. ["meter_readings"]): an empty list allows all the user may do."""

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("acts as"))
    department = models.ForeignKey("governance.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   verbose_name=_("department or utility"))
    prefix = models.CharField(_("prefix"), max_length=8, editable=False, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list, blank=True,
                              help_text=_('Allowed uses, e.g. ["meter_readings"]; empty = everything the user may do.'))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, name, user, department=None, scopes=None) -> tuple["ApiToken", str]:
        """Create a token; the raw key is returned once and never stored."""
        raw = "ll_" + secrets.token_urlsafe(32)
        token = cls.objects.create(name=name, user=user, department=department, scopes=scopes or [],
                                   prefix=raw[3:11], key_hash=hash_token(raw))
        return token, raw

    def allows(self, scope: str) -> bool:
        return not self.scopes or scope in self.scopes
