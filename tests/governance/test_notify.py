"""Notifications: rows first, then push (websocket), SMS, e-mail; inbox page and API; polling."""

import datetime as dt
import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from governance import outbox
from governance.consumers import NotificationConsumer
from governance.models import Notification, OutboxMessage
from governance.notify import sms
from governance.notify.services import deliver_external, notify
from tests.language import rendered_in, speaks


def test_row_first_then_delivery_after_commit(world, django_capture_on_commit_callbacks):
    user = world.users["wang_resident"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        n = notify(user=user, title="报修已受理", body="网格员将于今日上门", url="/orders/1/",
                   kind="workorder", obj=world.grids[0], channels=("inbox", "push", "sms"))
    assert Notification.objects.filter(pk=n.pk, user=user).exists()
    assert n.object_type == "governance.region" and n.object_id == str(world.grids[0].pk)
    assert sms.outbox == []  # nothing sent before commit
    assert len(callbacks) == 2  # the push, and the SMS task handed to the broker (taskqueue)
    for callback in callbacks:
        callback()
    n.refresh_from_db()
    assert [m.mobile for m in sms.outbox] == ["13800000001"]
    assert "报修已受理" in sms.outbox[0].text
    assert set(n.delivered) == {"push", "sms"}


def test_dedup_key_makes_retries_idempotent(world, django_capture_on_commit_callbacks):
    user = world.users["wang_resident"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        a = notify(user=user, title="A", channels=("inbox", "sms"), dedup_key="order:1:accepted")
        b = notify(user=user, title="A again", channels=("inbox", "sms"), dedup_key="order:1:accepted")
    assert a.pk == b.pk and len(callbacks) == 2  # one notification: its push and its SMS task
    assert Notification.objects.filter(user=user).count() == 1
    assert len(sms.outbox) == 1
    deliver_external(a.pk)  # a retried task sends nothing twice
    assert len(sms.outbox) == 1
    # Another user may receive the same key.
    other = notify(user=world.users["feng_resident"], title="A", dedup_key="order:1:accepted")
    assert other.pk != a.pk


def test_unknown_channel_is_refused(world):
    with pytest.raises(ValueError):
        notify(user=world.users["wang_resident"], title="x", channels=("pigeon",))


def test_email_channel(world, django_capture_on_commit_callbacks):
    user = world.users["wang_resident"]
    user.email = "wang@example.com"
    user.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=user, title="议事会通知", body="周五晚七点", url="/council/", channels=("inbox", "email"))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["wang@example.com"]
    assert "/council/" in mail.outbox[0].body


def test_no_mobile_is_recorded_not_failed(world, django_capture_on_commit_callbacks):
    user = world.users["admin"]
    with django_capture_on_commit_callbacks(execute=True):
        n = notify(user=user, title="x", channels=("inbox", "sms"))
    n.refresh_from_db()
    assert n.delivered["sms"].startswith("skipped")


def test_file_sms_backend_writes_the_file(tmp_path, world):
    path = tmp_path / "sms.log"
    with override_settings(SMS_FILE_PATH=str(path)):
        sms.send_sms(mobile="13800000001", text="验证码 123456", purpose="login_code")
    assert "13800000001\tlogin_code\t验证码 123456" in path.read_text(encoding="utf-8")
    assert sms.outbox == []


def test_http_sms_backend_goes_through_the_outbox(world):
    with override_settings(SMS_BACKEND="governance.notify.sms.HttpSmsBackend",
                           SMS_HTTP_URL="https://sms.example.com/send", SMS_HTTP_SECRET="sms-secret"):
        sms.send_sms(mobile="13800000001", text="hi")
    message = OutboxMessage.objects.get(topic="sms")
    assert message.url == "https://sms.example.com/send" and message.secret_name == "sms"
    assert message.payload == {"text": "hi", "purpose": "notify"}  # the number is sealed until sent
    assert json.loads(outbox._body(message)) == {"mobile": "13800000001", "text": "hi", "purpose": "notify"}
    with override_settings(SMS_BACKEND="governance.notify.sms.HttpSmsBackend", SMS_HTTP_URL=""):
        with pytest.raises(RuntimeError):
            sms.send_sms(mobile="13800000001", text="hi")


# --- websocket -----------------------------------------------------------------------------


def test_push_reaches_only_the_users_own_socket(world, django_capture_on_commit_callbacks):
    wang, feng = world.users["wang_resident"], world.users["feng_resident"]

    def raise_event():
        with django_capture_on_commit_callbacks(execute=True):
            notify(user=wang, title="您的诉求已办结", url="/orders/9/")

    async def run():
        mine = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
        mine.scope["user"] = wang
        theirs = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
        theirs.scope["user"] = feng
        assert (await mine.connect())[0] and (await theirs.connect())[0]
        await sync_to_async(raise_event)()
        event = await mine.receive_json_from(timeout=3)
        assert event["type"] == "notification"
        assert event["notification"]["title"] == "您的诉求已办结"
        assert event["unread"] == 1
        assert await theirs.receive_nothing(timeout=0.3)
        await mine.disconnect()
        await theirs.disconnect()

    async_to_sync(run)()


def test_anonymous_socket_is_refused(world):
    from django.contrib.auth.models import AnonymousUser

    async def run():
        comm = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
        comm.scope["user"] = AnonymousUser()
        connected, code = await comm.connect()
        assert not connected and code == 4401

    async_to_sync(run)()


def test_socket_through_the_asgi_application_uses_the_session(world, client_for):
    """The real route (ws/notifications/) with the session cookie of a logged-in page."""
    from governance.asgi import application

    client = client_for("wang_resident")
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()

    async def run():
        comm = WebsocketCommunicator(application, "/ws/notifications/",
                                     headers=[(b"origin", b"http://testserver"), (b"host", b"testserver"),
                                              (b"cookie", cookie)])
        connected, _ = await comm.connect()
        assert connected
        await comm.disconnect()
        anonymous = WebsocketCommunicator(application, "/ws/notifications/",
                                          headers=[(b"origin", b"http://testserver"), (b"host", b"testserver")])
        connected, _ = await anonymous.connect()
        assert not connected

    async_to_sync(run)()


# --- inbox page ----------------------------------------------------------------------------


def _some(user, n=3):
    return [notify(user=user, title=f"消息{i}", url="/me/") for i in range(n)]


def test_inbox_page_shows_only_own(world, client_for):
    _some(world.users["wang_resident"], 2)
    notify(user=world.users["feng_resident"], title="别人的消息")
    response = client_for("wang_resident").get(reverse("notify:inbox"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "消息0" in text and "消息1" in text and "别人的消息" not in text
    assert client_for(None).get(reverse("notify:inbox")).status_code == 302


def test_mark_one_and_all_read_on_the_page(world, client_for):
    wang = world.users["wang_resident"]
    a, b, c = _some(wang)
    client = client_for("wang_resident")
    assert client.post(reverse("notify:read", args=[a.pk])).status_code == 302
    a.refresh_from_db()
    assert a.read_at is not None
    response = client.post(reverse("notify:read", args=[b.pk]), {"go": "1"})
    assert response["Location"] == "/me/"
    # Somebody else's notification is a 404, and stays unread.
    theirs = notify(user=world.users["feng_resident"], title="x")
    assert client.post(reverse("notify:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    client.post(reverse("notify:read_all"))
    assert not Notification.objects.filter(user=wang, read_at__isnull=True).exists()
    assert Notification.objects.filter(pk=theirs.pk, read_at__isnull=True).exists()


def test_unread_count_in_pages_costs_one_query(world, client_for, django_assert_num_queries):
    from django.test import RequestFactory

    from governance.context_processors import portal

    wang = world.users["wang_resident"]
    _some(wang, 4)
    request = RequestFactory().get("/")
    request.user = wang
    context = portal(request)
    with django_assert_num_queries(1):
        assert context["unread_count"]() == 4
        assert context["unread_count"]() == 4  # cached for the page
    response = client_for("wang_resident").get(reverse("portal:me"))
    assert 'data-testid="unread-badge"' in response.content.decode()


# --- API -------------------------------------------------------------------------------------


def test_api_lists_own_with_unread_count(world, api_for):
    _some(world.users["wang_resident"], 3)
    notify(user=world.users["feng_resident"], title="别人的")
    data = api_for("wang_resident").get("/api/v1/notifications/").json()
    assert data["count"] == 3 and data["unread"] == 3
    assert {r["title"] for r in data["results"]} == {"消息0", "消息1", "消息2"}
    assert api_for(None).get("/api/v1/notifications/").status_code == 401


def test_api_polling_since(world, api_for):
    wang = world.users["wang_resident"]
    old = notify(user=wang, title="旧")
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    since = (timezone.now() - dt.timedelta(minutes=5)).isoformat()
    notify(user=wang, title="新")
    data = api_for("wang_resident").get("/api/v1/notifications/", {"since": since}).json()
    assert [r["title"] for r in data["results"]] == ["新"]
    assert data["unread"] == 2
    bad = api_for("wang_resident").get("/api/v1/notifications/", {"since": "yesterday"})
    assert bad.status_code == 400 and "since" in bad.json()["error"]["fields"]


def test_api_mark_read(world, api_for):
    a, b = _some(world.users["wang_resident"], 2)
    api = api_for("wang_resident")
    response = api.post(f"/api/v1/notifications/{a.pk}/read/")
    assert response.status_code == 200 and response.json()["read"] is True
    theirs = notify(user=world.users["feng_resident"], title="x")
    response = api.post(f"/api/v1/notifications/{theirs.pk}/read/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert api.get("/api/v1/notifications/", {"unread": "1"}).json()["count"] == 0


def test_api_list_query_count_is_constant(world, api_for):
    from tests.querycount import assert_constant_queries

    wang = world.users["wang_resident"]
    api = api_for("wang_resident")
    assert_constant_queries(lambda n: _some(wang, n), lambda: api.get("/api/v1/notifications/"))


# --- language: the recipient's, not the actor's ------------------------------------------------




def test_lazy_texts_are_rendered_in_each_recipients_language(world, django_capture_on_commit_callbacks):
    from django.utils import translation
    from django.utils.translation import gettext_lazy, ngettext_lazy

    from governance.notify.services import lazy_format

    en = speaks(world.users["li_gridworker"], "en")
    zh = speaks(world.users["zhao_community"], "zh-hans")
    default = speaks(world.users["wang_resident"], "")  # no choice made: the site's language (zh-hans)
    title = lazy_format(ngettext_lazy("%(n)s order is overdue", "%(n)s orders are overdue", "n"), n=2)
    english, chinese = rendered_in("en", title), rendered_in("zh-hans", title)
    assert english == "2 orders are overdue" and chinese != english and "2" in chinese
    for actor_language in ("zh-hans", "en"):
        with translation.override(actor_language), django_capture_on_commit_callbacks(execute=True):
            rows = [notify(user=u, title=title, body=gettext_lazy("Linli"), channels=("inbox", "sms"))
                    for u in (en, zh, default)]
        assert [(r.title, r.body) for r in rows] == [(english, "Linli"), (chinese, "邻里"), (chinese, "邻里")]
    # SMS is framed in the recipient's language too (the portal's name)
    texts = {m.mobile: m.text for m in sms.outbox}
    assert texts[en.mobile].startswith("【Linli】") and texts[default.mobile].startswith("【邻里】")

