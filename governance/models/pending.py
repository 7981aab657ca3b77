from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingTask(models.Model):
    """A Celery task written in the same transaction as the work that needs it, deleted once the
    broker took it (governance.taskqueue). A row that stays — the broker was down at commit, or
    the process died in between — is sent by the sweep when the broker is back."""

    task = models.CharField(_("task"), max_length=120)
    args = models.JSONField(_("arguments"), default=list)
    kwargs = models.JSONField(_("keyword arguments"), default=dict)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts to queue"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("task waiting for the broker")
        verbose_name_plural = _("tasks waiting for the broker")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"
