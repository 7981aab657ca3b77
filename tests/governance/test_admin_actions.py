"""run_service_action: the one loop behind admin actions that call a service per row."""

from django.contrib import messages

from governance.admin_site import run_service_action
from governance.errors import IllegalTransition


class _Admin:
    def __init__(self):
        self.said = []

    def message_user(self, request, text, level=messages.INFO):
        self.said.append((level, str(text)))


def test_a_refused_row_is_reported_and_the_others_go_on():
    done_rows = []

    def act(row):
        if row == "b":
            raise IllegalTransition("已结案，不能再派遣")
        done_rows.append(row)

    admin = _Admin()
    n = run_service_action(admin, None, ["a", "b", "c"], act, "%(n)s done")
    assert n == 2 and done_rows == ["a", "c"]
    assert (messages.ERROR, "b: 已结案，不能再派遣") in admin.said
    assert (messages.SUCCESS, "2 done") in admin.said


def test_nothing_done_reports_no_success():
    admin = _Admin()

    def refuse(row):
        raise IllegalTransition("no")

    assert run_service_action(admin, None, ["a"], refuse, "%(n)s done") == 0
    assert [level for level, _ in admin.said] == [messages.ERROR]
