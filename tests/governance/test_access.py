"""The access layer (scope / get_or_404 / require) for each kind of role, per-object grants
through django-guardian, constant query counts, and the API's error contract and auth."""

import dataclasses

import pytest
from django.test import override_settings
from django.urls import reverse
from guardian.shortcuts import assign_perm
from rest_framework import serializers
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from governance import access
from governance.errors import Forbidden, NotFound
from governance.models import ApiToken, AuditEvent, Department, Region
from tests.querycount import assert_constant_queries


def _subtree(region):
    return set(Region.objects.filter(path__startswith=region.path))


def _scoped(user, action="view"):
    return set(access.scope(Region.objects.all(), user, action))


# --- scope for each kind of role ------------------------------------------------------------


def test_grid_worker_sees_their_grid_subtree_only(world):
    li = world.users["li_gridworker"]
    grid_a1, grid_a2 = world.grids[0], world.grids[1]
    assert _scoped(li) == _subtree(grid_a1)
    assert world.microgrids[0] in _scoped(li)
    assert grid_a2 not in _scoped(li)


def test_community_street_and_district_see_their_subtrees(world):
    assert _scoped(world.users["zhao_community"]) == _subtree(world.communities[0])
    assert _scoped(world.users["chen_street"]) == _subtree(world.streets[0])
    assert _scoped(world.users["zhou_outsider"]) == _subtree(world.streets[1])
    assert _scoped(world.users["liu_district"]) == set(Region.objects.all())
    assert _scoped(world.users["admin"]) == set(Region.objects.all())


def test_resident_department_and_anonymous(world):
    from django.contrib.auth.models import AnonymousUser

    # A resident sees the community they live in (owner rule), nothing above or beside it.
    assert _scoped(world.users["wang_resident"]) == {world.communities[0]}
    # Departments are routed work, not places: no regions through the region policy.
    assert _scoped(world.users["sun_department"]) == set()
    assert _scoped(AnonymousUser()) == set()
    # The department policy routes by department instead.
    sun_depts = set(access.scope(Department.objects.all(), world.users["sun_department"], "view"))
    assert world.departments["chengguan"] in sun_depts


def test_actions_other_than_view_follow_rights(world):
    grid_a1 = world.grids[0]
    assert _scoped(world.users["li_gridworker"], "change") == set()
    assert grid_a1 in _scoped(world.users["liu_district"], "change")
    assert _scoped(world.users["wang_resident"], "change") == set()


def test_get_or_404_and_require(world):
    li, liu = world.users["li_gridworker"], world.users["liu_district"]
    grid_a1, grid_a2 = world.grids[0], world.grids[1]
    assert access.get_or_404(Region, li, "view", pk=grid_a1.pk) == grid_a1
    with pytest.raises(NotFound):  # out of scope: the same answer as missing
        access.get_or_404(Region, li, "view", pk=grid_a2.pk)
    with pytest.raises(NotFound):
        access.get_or_404(Region, li, "view", pk=10 ** 9)
    with pytest.raises(NotFound):
        access.get_or_404(Region, li, "view", pk="not-a-number")
    with pytest.raises(Forbidden):  # in scope, without the right
        access.get_or_404(Region, li, "change", pk=grid_a1.pk)
    assert access.get_or_404(Region, liu, "change", pk=grid_a1.pk) == grid_a1
    access.require(li, "view", grid_a1)
    with pytest.raises(Forbidden):
        access.require(li, "change", grid_a1)
    with pytest.raises(NotFound):
        access.require(li, "change", grid_a2)
    with pytest.raises(NotFound):
        access.require(world.users["sun_department"], "view", grid_a1)
    access.require(liu, "change", grid_a2)
    assert access.may_at_all(liu, "add", Region) and not access.may_at_all(li, "add", Region)


@pytest.fixture
def region_grants(monkeypatch):
    """Region with per-object view grants switched on (the mechanism care contacts and invited
    departments use on their own models)."""
    policy = access.policy_for(Region)
    monkeypatch.setitem(access._policies, Region, dataclasses.replace(policy, object_perms={"view"}))


def test_guardian_grant_opens_one_object(world, region_grants):
    wu, grid_a1, grid_a3 = world.users["wu_gridworker"], world.grids[0], world.grids[2]
    assert grid_a1 not in _scoped(wu)
    assign_perm("governance.view_region", wu, grid_a1)
    assert grid_a1 in _scoped(wu)
    assert grid_a3 not in _scoped(wu)  # one object, not a subtree
    assert access.get_or_404(Region, wu, "view", pk=grid_a1.pk) == grid_a1
    with pytest.raises(Forbidden):  # seeing is not changing
        access.require(wu, "change", grid_a1)
    response = _api(wu).get(f"/api/v1/regions/{grid_a1.pk}/")
    assert response.status_code == 200


def test_grant_without_the_policy_opening_it_does_nothing(world):
    wu, grid_a1 = world.users["wu_gridworker"], world.grids[0]
    assign_perm("governance.view_region", wu, grid_a1)
    assert grid_a1 not in _scoped(wu)


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_scoped_list_keeps_a_constant_query_count(world):
    community = world.communities[0]
    made: list[Region] = []

    def make(n):
        for _ in range(n):
            i = len(made)
            made.append(Region.objects.create(parent=community, level="grid", name=f"测试网格{i}",
                                              code=f"{community.code}9{i:02d}"))

    for persona in ("chen_street", "wang_resident", "liu_district"):
        api = _api(world.users[persona])
        api.get("/api/v1/regions/")  # warm: the user's assignments load once per request user
        assert_constant_queries(make, lambda api=api: api.get("/api/v1/regions/?page_size=200"))


def test_scoped_list_with_grants_keeps_a_constant_query_count(world, region_grants):
    wu = world.users["wu_gridworker"]
    api = _api(wu)

    def grant(n):
        for region in Region.objects.exclude(path__startswith=world.grids[1].path)[:n]:
            assign_perm("governance.view_region", wu, region)

    api.get("/api/v1/regions/")
    assert_constant_queries(grant, lambda: api.get("/api/v1/regions/?page_size=200"))


# --- the error contract ---------------------------------------------------------------------


def _error(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def test_malformed_json_is_a_400_in_the_contract(world, client_for):
    client = client_for("wang_resident")
    for url, method in (("/api/v1/me/", "patch"), ("/api/v1/me/", "put")):
        response = getattr(client, method)(url, data='{"display_name": "王', content_type="application/json")
        error = _error(response, 400)
        assert error["code"] == "parse_error" and error["message"]
    anonymous = APIClient().post("/api/v1/auth/sms-code/", data="{nope", content_type="application/json")
    assert _error(anonymous, 400)["code"] == "parse_error"


def test_wrong_content_type_is_415_in_the_contract(world, client_for):
    response = client_for("wang_resident").patch("/api/v1/me/", data="x", content_type="application/x-unknown")
    _error(response, 415)


class _PlaceSerializer(serializers.Serializer):
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all())
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False)


class _PlaceView(APIView):
    def post(self, request):
        _PlaceSerializer(data=request.data).is_valid(raise_exception=True)
        return self.http_method_not_allowed(request)


def test_unknown_region_or_department_id_names_the_field(world):
    view = _PlaceView.as_view()
    factory = APIRequestFactory()
    request = factory.post("/x/", {"region": 10 ** 9, "department": 10 ** 9}, format="json")
    from rest_framework.test import force_authenticate

    force_authenticate(request, world.users["liu_district"])
    response = view(request)
    response.render()
    assert response.status_code == 400
    error = response.data["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"region", "department"}
    assert str(10 ** 9) in error["fields"]["region"][0]
    request = factory.post("/x/", {"region": "abc"}, format="json")
    force_authenticate(request, world.users["liu_district"])
    assert "region" in view(request).data["error"]["fields"]


def test_anonymous_api_is_401_with_www_authenticate(db):
    response = APIClient().get("/api/v1/regions/")
    error = _error(response, 401)
    assert error["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Bearer"


def test_out_of_scope_and_forbidden_in_the_contract(world, api_for):
    error = _error(api_for("wu_gridworker").get(f"/api/v1/regions/{world.grids[0].pk}/"), 404)
    assert error["code"] == "not_found"


# --- tokens -----------------------------------------------------------------------------------


def _bearer(raw):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_token_valid_revoked_and_narrowed(world):
    from django.utils import timezone

    sun = world.users["sun_department"]
    token, raw = ApiToken.issue(name="城管系统", user=sun, department=world.departments["chengguan"])
    client = _bearer(raw)
    assert client.get("/api/v1/departments/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert raw not in token.key_hash
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    error = _error(_bearer(raw).get("/api/v1/departments/"), 401)
    assert error["code"] == "not_authenticated"
    _error(_bearer("ll_made-up").get("/api/v1/departments/"), 401)
    _error(_bearer("a b c").get("/api/v1/departments/"), 401)
    # A token narrowed to meter readings reaches nothing else.
    _narrow, narrow_raw = ApiToken.issue(name="水表", user=world.users["shui_utility"], scopes=["meter_readings"])
    _error(_bearer(narrow_raw).get("/api/v1/departments/"), 403)
    _error(_bearer(narrow_raw).get("/api/v1/notifications/"), 403)


def test_token_of_an_inactive_user_is_refused(world):
    user = world.users["shui_utility"]
    _token, raw = ApiToken.issue(name="水表", user=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    _error(_bearer(raw).get("/api/v1/departments/"), 401)


# --- wrong login, lock-out ---------------------------------------------------------------------


def test_wrong_login_message_and_axes_lockout(world, client):
    from axes.models import AccessAttempt

    url = reverse("login")
    with override_settings(AXES_ENABLED=True):
        for _ in range(4):
            response = client.post(url, {"username": "wang_resident", "password": "wrong"})
            assert response.status_code == 200
            assert "password" in response.content.decode().lower() or "密码" in response.content.decode()
        # The fifth failure locks the username + IP pair; then even the right password is refused.
        response = client.post(url, {"username": "wang_resident", "password": "wrong"})
        assert response.status_code in (403, 429)
        from governance.seed import DEMO_PASSWORD

        response = client.post(url, {"username": "wang_resident", "password": DEMO_PASSWORD})
        assert response.status_code in (403, 429)
        assert "_auth_user_id" not in client.session
        assert AccessAttempt.objects.filter(username="wang_resident").exists()
        # Another account from the same place is not locked.
        response = client.post(url, {"username": "feng_resident", "password": DEMO_PASSWORD})
        assert response.status_code == 302


def test_one_account_one_lock_whichever_identifier(world, client):
    """Locked under its username, the account stays locked when its mobile number is typed,
    on the password page and on the SMS-code page; and failures through the mobile count
    toward the same lock."""
    from governance.seed import DEMO_PASSWORD

    url = reverse("login")
    mobile = world.users["wang_resident"].mobile
    with override_settings(AXES_ENABLED=True):
        for i in range(5):
            ident = "wang_resident" if i % 2 else mobile  # mixed: still one count
            client.post(url, {"username": ident, "password": "wrong"})
        for ident in ("wang_resident", mobile, f" {mobile} "):
            response = client.post(url, {"username": ident, "password": DEMO_PASSWORD})
            assert response.status_code in (403, 429), ident
            assert "_auth_user_id" not in client.session
        response = client.post(reverse("sms_login"), {"mobile": mobile, "code": "123456", "action": "login"})
        assert response.status_code in (403, 429)
        assert "_auth_user_id" not in client.session


def test_lockout_identity_names_the_account(world):
    from django.test import RequestFactory

    from governance.auth import lockout_identity

    request = RequestFactory().post("/", {"mobile": "13800000001"})
    assert lockout_identity(request, {"username": "13800000001"}) == "wang_resident"
    assert lockout_identity(request, None) == "wang_resident"
    assert lockout_identity(request, {"username": "nobody-here"}) == "nobody-here"


def test_services_refuse_a_missing_actor_and_audit_the_system(world):
    """actor=None once skipped the checks and the audit; now it is an error, and jobs act as the
    system account, which is written in the audit log like anyone."""
    from households.defaults import load_special_groups
    from households.models import TagType, VisitRule
    from households.services import care_contact_add, person_create, person_tag_add, persons_purge_moved_out
    from tests.households.conftest import flat

    load_special_groups(TagType, VisitRule)
    person = person_create(household=flat(world.grids[0], "和平里东街1号"), name="张桂英", actor=access.system())
    tag = TagType.objects.get(code="elderly_alone")
    for call in (lambda: person_tag_add(person=person, tag=tag, actor=None),
                 lambda: care_contact_add(person=person, name="张丽", relation="女儿", phone="13700001111", actor=None),
                 lambda: persons_purge_moved_out(actor=None)):
        with pytest.raises(TypeError):
            call()
    person_tag_add(person=person, tag=tag, actor=access.system())
    event = AuditEvent.objects.filter(action="person_tag.add").latest("at")
    assert event.actor is not None and access.is_system(event.actor)
    assert not access.system().is_active and not access.system().has_usable_password()  # cannot log in


def test_a_role_on_one_object_scopes_like_a_region_role(world):
    """Policy.target: a trustee's assignment points at one compound; scope, get_or_404 and
    require answer for it exactly as for a region role — and a target of another model is no key."""
    from governance.models import Assignment
    from governance.seed import set_target
    from households.models import Building, Compound
    from households.services import building_create, compound_create

    def compound(community, name):
        grid = next(g for g in world.grids if g.path.startswith(community.path))
        b = building_create(grid=grid, name="1号楼", address=f"{name}1号", actor=access.system())
        return compound_create(community=community, name=name, buildings=[b], actor=access.system())

    mine, other = compound(world.communities[0], "东院"), compound(world.communities[2], "西院")
    trustee = world.users["lin_trustee"]
    assert access.scope(Compound.objects.all(), trustee).count() == 0  # no target yet: nothing
    set_target(Assignment.objects.get(user=trustee), mine)
    trustee = type(trustee).objects.get(pk=trustee.pk)
    assert list(access.scope(Compound.objects.all(), trustee)) == [mine]
    assert list(access.scope(Building.objects.all(), trustee)) == list(mine.buildings.all())
    assert access.get_or_404(Compound, trustee, "view", pk=mine.pk) == mine
    with pytest.raises(NotFound):
        access.get_or_404(Compound, trustee, "view", pk=other.pk)
    with pytest.raises(Forbidden):  # sees it, may not change it
        access.require(trustee, "change", mine)
    # A merchant's target is a business: it opens no compound, even one with the same id.
    merchant = world.users["xu_merchant"]
    set_target(Assignment.objects.get(user=merchant), world.councils[0])
    assert access.scope(Compound.objects.all(), type(merchant).objects.get(pk=merchant.pk)).count() == 0
