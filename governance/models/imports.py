"""Import jobs (governance.imports): the fields every app's job table has. Abstract: an app keeps its
own table of jobs (its files, its region, its rights) and the core pipeline moves them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    VALIDATING = "validating", _("Checking")
    PREVIEW = "preview", _("Checked, waiting to apply")
    INVALID = "invalid", _("Has errors")
    APPLYING = "applying", _("Applying")
    DONE = "done", _("Applied")
    FAILED = "failed", _("Failed")


class ImportJobBase(models.Model):
    """One uploaded file of one kind (`kind` names its governance.imports.Resource): checked row
    by row, then applied all-or-nothing."""

    kind = models.CharField(_("kind"), max_length=60)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    region = models.ForeignKey("governance.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("community"))
    region_path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the status last moved, and how often the sweep re-queued a job that stopped moving.
    status_changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    requeues = models.PositiveSmallIntegerField(default=0)

    # The app's Celery tasks that check and apply its jobs, by name (governance.taskqueue).
    check_task: str = ""
    apply_task: str = ""

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"  # type: ignore[attr-defined]

    @property
    def progress(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
