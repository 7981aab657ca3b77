"""Working days: 2025–2026 as published (checked against chinesecalendar itself), 调休,
deadlines into and out of holidays, office-hour arithmetic, years beyond the data."""

import datetime as dt
from io import StringIO

import chinese_calendar
import pytest
from django.core.management import CommandError, call_command

from governance import workdays
from governance.errors import ValidationFailed
from governance.models import Holiday, HolidayYear, OfficeHours

pytestmark = pytest.mark.usefixtures("calendar_2025_2026")
TZ = workdays.TZ
D = dt.date


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.mark.parametrize(
    "day, working",
    [
        (D(2025, 1, 26), True),  # Sunday, 调休 for the Spring Festival
        (D(2025, 1, 27), True),
        (D(2025, 1, 28), False),  # Spring Festival Jan 28 – Feb 4
        (D(2025, 2, 4), False),
        (D(2025, 2, 5), True),
        (D(2025, 2, 8), True),  # Saturday, 调休
        (D(2025, 9, 28), True),  # Sunday, 调休 for National Day
        (D(2025, 10, 1), False),  # National Day + Mid-autumn Oct 1 – 8
        (D(2025, 10, 8), False),
        (D(2025, 10, 9), True),
        (D(2025, 10, 11), True),  # Saturday, 调休
        (D(2025, 10, 12), False),  # an ordinary Sunday
        (D(2026, 1, 4), True),  # Sunday, 调休 for New Year 2026
        (D(2026, 2, 16), False),  # Spring Festival 2026
        (D(2026, 2, 14), True),  # Saturday, 调休
        (D(2026, 2, 28), True),
        (D(2026, 10, 7), False),
        (D(2026, 10, 10), True),
    ],
)
def test_published_days(day, working):
    assert workdays.is_workday(day) is working
    assert chinese_calendar.is_workday(day) is working  # the data source agrees


def test_every_day_of_2025_and_2026_matches_chinesecalendar():
    day = D(2025, 1, 1)
    while day.year < 2027:
        assert workdays.is_workday(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


def test_loading_is_idempotent_and_marks_years():
    count = Holiday.objects.count()
    assert workdays.load_from_chinesecalendar([2025, 2026]) == {2025: 0, 2026: 0}
    assert Holiday.objects.count() == count
    assert set(HolidayYear.objects.values_list("year", flat=True)) >= {2025, 2026}
    out = StringIO()
    call_command("load_holidays", "--from", "2025", "--to", "2025", stdout=out)
    assert "2025: 0 rows" in out.getvalue()
    assert Holiday.objects.get(date=D(2025, 1, 26)).name == "春节调休"
    assert Holiday.objects.get(date=D(2025, 10, 1)).name == "国庆节"


def test_load_refuses_a_year_the_package_does_not_have():
    with pytest.raises(CommandError, match="2031"):
        call_command("load_holidays", "--from", "2031", "--to", "2031")


def test_deadline_running_into_a_holiday_skips_it():
    # Monday Sep 29 2025 + 2 working days: Sep 30, then Oct 1–8 off, so Thursday Oct 9
    # (closing 17:00 in winter hours), not Oct 1.
    due = workdays.deadline(at(2025, 9, 29, 10), 2, "work_days")
    assert due.at == at(2025, 10, 9, 17, 0)
    assert not due.estimated


def test_holiday_starting_on_the_naive_due_date():
    # Thursday Jan 23 2025 + 3: Fri 24, Sun 26 (调休), Mon 27 — a plain weekday count lands on Jan 28, a holiday.
    assert workdays.add_workdays(at(2025, 1, 23, 9), 3).at == at(2025, 1, 27, 17, 0)
    # Monday Jan 27 + 1: the next day is the first day of the holiday, so Feb 5.
    assert workdays.add_workdays(at(2025, 1, 27, 9), 1).at == at(2025, 2, 5, 17, 0)


def test_make_up_saturday_counts():
    # Friday Feb 7 2025 + 1 working day: Saturday Feb 8 is a working day.
    assert workdays.add_workdays(at(2025, 2, 7, 9), 1).at == at(2025, 2, 8, 17, 0)
    # The office opens on that Saturday: one work hour from Friday 16:30 ends Saturday 09:00.
    assert workdays.add_work_hours(at(2025, 2, 7, 16, 30), 1).at == at(2025, 2, 8, 9, 0)


def test_start_on_a_holiday():
    start = at(2025, 10, 3, 14)  # in the National Day holiday
    assert workdays.add_workdays(start, 1).at == at(2025, 10, 9, 17, 0)
    assert workdays.add_work_hours(start, 2).at == at(2025, 10, 9, 10, 30)
    assert workdays.add_workdays(start, 0).at == at(2025, 10, 9, 17, 0)
    assert workdays.add_workdays(at(2025, 10, 9, 11), 0).at == at(2025, 10, 9, 17, 0)


def test_work_hours_across_lunch_and_overnight():
    # Summer (from 05-01): 08:30–12:00, 14:00–17:30.
    assert workdays.add_work_hours(at(2025, 6, 10, 11), 2).at == at(2025, 6, 10, 15, 0)
    assert workdays.add_work_hours(at(2025, 6, 10, 17), 1).at == at(2025, 6, 11, 9, 0)
    assert workdays.add_work_hours(at(2025, 6, 10, 12, 30), 1).at == at(2025, 6, 10, 15, 0)  # lunch does not count
    # Friday evening to Monday morning.
    assert workdays.add_work_hours(at(2025, 6, 13, 17), 1).at == at(2025, 6, 16, 9, 0)
    # Winter (from 10-01): 08:30–12:00, 13:30–17:00.
    assert workdays.add_work_hours(at(2025, 11, 11, 11, 30), 1).at == at(2025, 11, 11, 14, 0)
    # Before opening: the clock starts at 08:30.
    assert workdays.add_work_hours(at(2025, 11, 11, 6), 1).at == at(2025, 11, 11, 9, 30)
    # Exactly a full day of office hours (7h) from the opening.
    assert workdays.add_work_hours(at(2025, 11, 11, 8, 30), 7).at == at(2025, 11, 11, 17, 0)


def test_workhours_between():
    assert workdays.workhours_between(at(2025, 6, 10, 11), at(2025, 6, 10, 15)) == 2.0
    assert workdays.workhours_between(at(2025, 6, 10, 17), at(2025, 6, 11, 9)) == 1.0
    # Sep 30 is summer (till 17:30): 1.5 h; Oct 1–8 off; Oct 9 winter from 08:30: 1 h.
    assert workdays.workhours_between(at(2025, 9, 30, 16), at(2025, 10, 9, 9, 30)) == 2.5
    assert workdays.workhours_between(at(2025, 6, 11), at(2025, 6, 10)) == 0.0
    # It inverts add_work_hours.
    start = at(2025, 12, 30, 15, 10)
    assert workdays.workhours_between(start, workdays.add_work_hours(start, 13.25).at) == 13.25


def test_asia_shanghai_time():
    # 00:30 UTC is 08:30 in Shanghai.
    start = dt.datetime(2025, 6, 10, 0, 30, tzinfo=dt.UTC)
    due = workdays.add_work_hours(start, 1)
    assert due.at == dt.datetime(2025, 6, 10, 1, 30, tzinfo=dt.UTC)
    # 17:00 UTC on Jan 27 is already Jan 28 (a holiday) in Shanghai.
    assert not workdays.is_workday(dt.datetime(2025, 1, 27, 17, 0, tzinfo=dt.UTC))
    assert workdays.is_workday(dt.datetime(2025, 1, 27, 15, 0, tzinfo=dt.UTC))


def test_beyond_the_last_known_year_is_estimated():
    assert workdays.last_known_year() == 2026
    inside = workdays.deadline(at(2026, 6, 1, 9), 5, "work_days")
    assert not inside.estimated
    beyond = workdays.deadline(at(2026, 12, 29, 9), 5, "work_days")
    assert beyond.estimated
    # 2027 on plain weekdays: Dec 30, 31, Jan 1 (Fri), Jan 4, Jan 5.
    assert beyond.at == at(2027, 1, 5, 17, 0)
    assert workdays.deadline(at(2026, 12, 31, 16), 8, "work_hours").estimated
    assert not workdays.deadline(at(2026, 12, 31, 16), 8, "hours").estimated


def test_natural_units():
    start = at(2025, 9, 30, 10)
    assert workdays.deadline(start, 2, "hours").at == at(2025, 9, 30, 12)
    assert workdays.deadline(start, 7, "days").at == at(2025, 10, 7, 10)
    assert workdays.deadline(start, 30, "minutes").at == at(2025, 9, 30, 10, 30)
    assert workdays.add_natural(start, days=1, hours=1).at == at(2025, 10, 1, 11)
    with pytest.raises(ValueError):
        workdays.deadline(start, 1, "fortnights")


def test_cache_follows_admin_edits():
    day = D(2025, 6, 10)
    assert workdays.is_workday(day)
    row = Holiday.objects.create(date=day, kind="holiday", name="区级停工")
    assert not workdays.is_workday(day)
    row.delete()
    assert workdays.is_workday(day)


def test_office_hours_rows_override_the_default():
    OfficeHours.objects.create(name="全年", valid_from_month_day="01-01", periods=[["09:00", "12:00"], ["13:00", "18:00"]])
    assert workdays.add_work_hours(at(2025, 6, 10, 11), 2).at == at(2025, 6, 10, 14, 0)


CSV_2027 = """date,kind,name
2027-01-01,holiday,元旦
2027-02-06,holiday,春节
2027-02-08,holiday,春节
2027-02-20,workday,春节调休
"""


def test_import_csv_for_a_new_year(tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text(CSV_2027, encoding="utf-8")
    call_command("import_holidays", str(path), "--source", "国办发明电〔2026〕X号", stdout=StringIO())
    assert HolidayYear.objects.get(year=2027).source.startswith("国办发明电")
    assert not workdays.is_workday(D(2027, 2, 8))
    assert workdays.is_workday(D(2027, 2, 20))
    assert not workdays.deadline(at(2026, 12, 29, 9), 5, "work_days").estimated
    # Holiday Jan 1 2027 now counts: Dec 30, 31, Jan 4, 5, 6.
    assert workdays.deadline(at(2026, 12, 29, 9), 5, "work_days").at == at(2027, 1, 6, 17, 0)
    # Importing again changes nothing.
    assert workdays.import_holiday_csv(CSV_2027, source="again") == {2027: 0}


def test_import_csv_with_bad_rows_writes_nothing(tmp_path):
    bad = CSV_2027 + "2027-13-01,holiday,x\n2027-03-03,workday,wednesday\n2027-03-06,party,x\n"
    with pytest.raises(ValidationFailed) as info:
        workdays.import_holiday_csv(bad, source="t")
    errors = info.value.fields["file"]
    assert len(errors) == 3 and "6" in errors[0] and "7" in errors[1] and "8" in errors[2]
    assert not Holiday.objects.filter(date__year=2027).exists()
    assert not HolidayYear.objects.filter(year=2027).exists()
    path = tmp_path / "bad.csv"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_holidays", str(path))


def test_admin_csv_import(client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client = client_for("liu_district")
    url = reverse("admin:governance_holiday_import")
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("2027.csv", CSV_2027.encode(), content_type="text/csv")
    response = client.post(url, {"file": upload, "source": "notice"})
    assert response.status_code == 302
    assert HolidayYear.objects.filter(year=2027).exists()
    bad = SimpleUploadedFile("bad.csv", b"2028-01-01,nope,x\n", content_type="text/csv")
    response = client.post(url, {"file": bad})
    assert response.status_code == 200 and "2028-01-01" not in str(Holiday.objects.values_list("date", flat=True))
    assert client_for("li_gridworker").get(url).status_code == 403
