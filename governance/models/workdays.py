import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Statutory holiday (off)")
    WORKDAY = "workday", _("Make-up working day (调休)")


class Holiday(models.Model):
    """An exception to the Monday–Friday week: a day off on a weekday, or a working weekend day."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("holiday or make-up day")
        verbose_name_plural = _("holidays and make-up days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}"


class HolidayYear(models.Model):
    """A year whose schedule (State Council notice) has been entered completely.
    Deadlines running past the last known year are computed on plain weekdays and flagged."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    entered_at = models.DateTimeField(_("entered"), auto_now_add=True)

    class Meta:
        verbose_name = _("holiday schedule year")
        verbose_name_plural = _("holiday schedule years")
        ordering = ["year"]

    def __str__(self):
        return str(self.year)


class OfficeHours(models.Model):
    """What a working hour (工作时) counts, from a date of the year on (seasonal schedules)."""

    name = models.CharField(_("name"), max_length=40)
    valid_from_month_day = models.CharField(_("valid from (MM-DD)"), max_length=5)
    # [["08:30", "12:00"], ["14:00", "17:30"]]
    periods = models.JSONField(_("periods"))

    class Meta:
        verbose_name = _("office hours")
        verbose_name_plural = _("office hours")
        ordering = ["valid_from_month_day"]

    def __str__(self):
        return self.name

    def period_times(self) -> list[tuple[datetime.time, datetime.time]]:
        return [(datetime.time.fromisoformat(a), datetime.time.fromisoformat(b)) for a, b in self.periods]
