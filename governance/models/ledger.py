from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LedgerUnit(models.TextChoices):
    POINTS = "points", _("Points")
    CNY = "cny", _("Yuan (CNY)")


class LedgerAccount(models.Model):
    """An account of points or money (a resident's points, a compound's trust account). Its
    balance is kept beside its entries in the same transaction, under the account's row lock,
    and the database refuses a negative one; `chain_head` is the hash of its newest entry."""

    name = models.CharField(_("name"), max_length=120)
    unit = models.CharField(_("unit"), max_length=8, choices=LedgerUnit.choices)
    owner_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT,
                                   verbose_name=_("owner type"))
    owner_id = models.PositiveBigIntegerField(_("owner id"), null=True, blank=True)
    owner = GenericForeignKey("owner_type", "owner_id")
    region_path = models.CharField(max_length=255, blank=True, default="", db_index=True, editable=False)
    balance = models.DecimalField(_("balance"), max_digits=16, decimal_places=2, default=0, editable=False)
    entries_count = models.PositiveIntegerField(_("entries"), default=0, editable=False)
    chain_head = models.CharField(_("chain head"), max_length=64, blank=True, default="", editable=False)
    allow_negative = models.BooleanField(_("may go negative"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0) | Q(allow_negative=True),
                                   name="ledger_account_balance_not_negative"),
            models.UniqueConstraint(fields=["owner_type", "owner_id", "name"], name="ledger_account_owner_name"),
        ]

    def __str__(self):
        return f"{self.name} ({self.balance} {self.get_unit_display()})"


class LedgerEntry(models.Model):
    """One posting. Append-only: never updated or deleted (a database trigger refuses it); a mistake
    is a reversing entry. `key` makes a retried posting return the first one. Each entry's `hash`
    covers the previous entry's hash and this entry's canonical bytes (governance.ledger)."""

    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries",
                                verbose_name=_("account"))
    seq = models.PositiveIntegerField(_("number"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    balance_after = models.DecimalField(_("balance after"), max_digits=16, decimal_places=2)
    kind = models.CharField(_("kind"), max_length=40)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    key = models.CharField(_("idempotency key"), max_length=128)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by", verbose_name=_("reverses"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("actor"))
    at = models.DateTimeField(_("time"))
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["account", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["account", "key"], name="ledger_entry_key_once"),
            models.UniqueConstraint(fields=["account", "seq"], name="ledger_entry_seq_once"),
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_amount_not_zero"),
        ]

    def __str__(self):
        return f"{self.account_id}#{self.seq} {self.amount:+}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("ledger entries are append-only: post a reversing entry instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("ledger entries are append-only: post a reversing entry instead")
