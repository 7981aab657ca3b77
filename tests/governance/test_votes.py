"""Votes (governance.votes): exact thresholds at their edges, one ballot per elector, the states
on a fixed clock, paper ballots, and who may do what."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import timezone

from governance import access, votes
from governance.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed
from governance.models import AuditEvent, Ballot, Elector, Vote

pytestmark = pytest.mark.django_db

T0 = timezone.make_aware(dt.datetime(2026, 12, 1, 9, 0))


def make_vote(world, *, rule="civil_code_ordinary", weights=(Decimal(1),), users=(), changeable=False, notice=7):
    staff = world.users["zhao_community"]
    vote = votes.vote_create(actor=staff, title="更换电梯", region=world.communities[0], rule=rule,
                             opens_at=T0 + dt.timedelta(days=notice), closes_at=T0 + dt.timedelta(days=notice + 3),
                             notice_days=notice, changeable=changeable, weight_label="专有面积 (m²)")
    rows = [{"key": f"unit:{i}", "label": f"1-{101 + i}", "weight": str(w), "user": users[i] if i < len(users) else None}
            for i, w in enumerate(weights)]
    votes.electorate_set(vote=vote, rows=rows, actor=staff)
    return vote


def run_to_close(world, vote, choices):
    """Announce, open, record `choices` (elector index -> choice) on paper, close."""
    staff = world.users["zhao_community"]
    votes.vote_announce(vote=vote, actor=staff, at=T0)
    votes.sweep(now=vote.opens_at)
    electors = list(Elector.objects.filter(vote=vote).order_by("key"))
    for i, choice in choices.items():
        votes.ballot_cast(vote=vote, actor=staff, elector=electors[i], choice=choice, channel="paper",
                          at=vote.opens_at + dt.timedelta(hours=1))
    votes.sweep(now=vote.closes_at)
    return Vote.objects.get(pk=vote.pk)


# --- the arithmetic, exactly at each edge ------------------------------------------------------

def tally(total, part, yes, *, total_n=3, part_n=2, yes_n=2):
    f = Fraction
    return votes.Tally(total={"count": f(total_n), "weight": f(total)},
                       participating={"count": f(part_n), "weight": f(part)},
                       yes={"count": f(yes_n), "weight": f(yes)}, no={"count": f(0), "weight": f(0)},
                       abstain={"count": f(0), "weight": f(0)})


@pytest.mark.parametrize("part,met", [("200", True), ("199.9999", False), ("200.0001", True)])
def test_quorum_two_thirds_of_the_area_is_met_exactly_at_two_thirds(part, met):
    cond = votes.RULES["civil_code_ordinary"].quorum[0]
    assert cond.basis == "weight" and cond.share == Fraction(2, 3)
    assert cond.check(tally(Decimal("300"), Decimal(part), Decimal(0)))[0] is met


@pytest.mark.parametrize("part_n,met", [(2, True), (1, False)])
def test_quorum_two_thirds_of_the_owners_by_count(part_n, met):
    cond = votes.RULES["civil_code_ordinary"].quorum[1]
    assert cond.basis == "count"
    assert cond.check(tally(Decimal(3), Decimal(3), Decimal(0), total_n=3, part_n=part_n))[0] is met


@pytest.mark.parametrize("yes,met", [("50", False), ("50.0001", True)])
def test_ordinary_matter_needs_more_than_half_strictly(yes, met):
    cond = votes.RULES["civil_code_ordinary"].passing[0]
    assert cond.op == ">"
    assert cond.check(tally(Decimal(100), Decimal(100), Decimal(yes)))[0] is met


@pytest.mark.parametrize("yes,met", [("75", True), ("74.9999", False)])
def test_major_matter_needs_three_quarters_inclusive(yes, met):
    cond = votes.RULES["civil_code_major"].passing[0]
    assert cond.op == ">=" and cond.share == Fraction(3, 4)
    assert cond.check(tally(Decimal(100), Decimal(100), Decimal(yes)))[0] is met


def test_no_electorate_or_nobody_taking_part_never_passes():
    cond = votes.RULES["civil_code_ordinary"].passing[0]
    assert cond.check(tally(Decimal(0), Decimal(0), Decimal(0), total_n=0, part_n=0, yes_n=0))[0] is False


def test_decimal_weights_add_up_exactly_where_floats_would_not(world):
    # 0.1 + 0.2 is not 0.3 in floating point; the quorum (2/3 of 0.45) is met by exactly 0.3.
    vote = make_vote(world, weights=(Decimal("0.1"), Decimal("0.2"), Decimal("0.15")))
    vote = run_to_close(world, vote, {0: "yes", 1: "yes"})
    assert vote.result["participating"]["weight"] == "0.3" and vote.result["electorate"]["weight"] == "0.45"
    assert [q["met"] for q in vote.result["quorum"]] == [True, True]


# --- a whole vote ----------------------------------------------------------------------------

def test_a_vote_from_draft_to_published_with_its_arithmetic(world):
    wang, feng = world.users["wang_resident"], world.users["feng_resident"]
    vote = make_vote(world, rule="civil_code_major", weights=(Decimal("89.30"), Decimal("60.70"), Decimal("50")),
                     users=(wang, feng), changeable=True)
    staff = world.users["zhao_community"]
    # An elector does not see a draft; once announced they do.
    with pytest.raises(NotFound):
        access.get_or_404(Vote, wang, "view", pk=vote.pk)
    with pytest.raises(IllegalTransition, match="7"):  # announced too late for a 7-day notice
        votes.vote_announce(vote=vote, actor=staff, at=T0 + dt.timedelta(days=1))
    votes.vote_announce(vote=vote, actor=staff, at=T0)
    assert access.get_or_404(Vote, wang, "view", pk=vote.pk) == vote
    with pytest.raises(Conflict):  # the notice period: not open yet
        votes.ballot_cast(vote=vote, actor=wang, choice="yes", at=T0 + dt.timedelta(days=1))
    with pytest.raises(Conflict):
        votes.electorate_set(vote=vote, rows=[{"key": "x", "label": "x"}], actor=staff)
    assert votes.sweep(now=T0 + dt.timedelta(days=6)) == {"opened": 0, "closed": 0}
    assert votes.sweep(now=vote.opens_at) == {"opened": 1, "closed": 0}
    during = vote.opens_at + dt.timedelta(hours=2)
    first = votes.ballot_cast(vote=vote, actor=wang, choice="no", at=during)
    assert votes.ballot_cast(vote=vote, actor=wang, choice="no", at=during).pk == first.pk  # a retry
    votes.ballot_cast(vote=vote, actor=wang, choice="yes", at=during)  # changeable until the close
    assert Ballot.objects.get(pk=first.pk).choice == "yes" and Ballot.objects.filter(vote=vote).count() == 1
    votes.ballot_cast(vote=vote, actor=feng, choice="yes", at=during)
    third = Elector.objects.get(vote=vote, key="unit:2")
    votes.ballot_cast(vote=vote, actor=staff, elector=third, choice="abstain", channel="paper", at=during)
    assert Ballot.objects.get(elector=third).recorded_by == staff
    with pytest.raises(IllegalTransition):  # not before the stated close
        votes.vote_close(vote=vote, actor=staff, at=during)
    votes.sweep(now=vote.closes_at)
    with pytest.raises(Conflict):
        votes.ballot_cast(vote=vote, actor=feng, choice="no", at=vote.closes_at)
    vote.refresh_from_db()
    assert vote.status == "closed"
    r = vote.result
    # Everyone took part (200 m², 3 owners); yes = 150 m² of 200 = exactly 3/4, 2 of 3 owners < 3/4.
    assert r["participating"] == {"count": "3", "weight": "200"} and r["yes"] == {"count": "2", "weight": "150"}
    assert [p["met"] for p in r["passing"]] == [True, False] and r["passed"] is False
    assert r["passing"][0]["value"] == "150 / 200" and "3/4" in r["passing"][0]["text"]
    votes.vote_publish(vote=vote, actor=staff)
    assert Vote.objects.get(pk=vote.pk).status == "published"
    assert AuditEvent.objects.filter(action="vote.publish", object_id=str(vote.pk)).exists()


def test_ballots_are_not_changed_where_the_vote_says_so(world):
    wang = world.users["wang_resident"]
    vote = make_vote(world, weights=(Decimal(1), Decimal(1)), users=(wang,))
    votes.vote_announce(vote=vote, actor=world.users["zhao_community"], at=T0)
    votes.sweep(now=vote.opens_at)
    votes.ballot_cast(vote=vote, actor=wang, choice="yes", at=vote.opens_at)
    with pytest.raises(Conflict):
        votes.ballot_cast(vote=vote, actor=wang, choice="no", at=vote.opens_at)
    assert Ballot.objects.get(vote=vote).choice == "yes"


def test_who_may_do_what(world):
    wang = world.users["wang_resident"]
    vote = make_vote(world, weights=(Decimal(1), Decimal(1)), users=(wang,))
    with pytest.raises(Forbidden):  # outside their region
        votes.vote_create(actor=world.users["zhou_outsider"], title="x", region=world.communities[0],
                          rule="simple_majority", opens_at=T0, closes_at=T0 + dt.timedelta(days=1))
    with pytest.raises(Forbidden):  # a grid worker follows votes, does not put them
        votes.vote_create(actor=world.users["li_gridworker"], title="x", region=world.communities[0],
                          rule="simple_majority", opens_at=T0, closes_at=T0 + dt.timedelta(days=1))
    votes.vote_announce(vote=vote, actor=world.users["zhao_community"], at=T0)
    votes.sweep(now=vote.opens_at)
    with pytest.raises(NotFound):  # not an elector, not staff here: the vote is not there
        votes.ballot_cast(vote=vote, actor=world.users["feng_resident"], choice="yes", at=vote.opens_at)
    elector = Elector.objects.get(vote=vote, key="unit:1")
    with pytest.raises(Forbidden):  # a council member follows the vote, does not record ballots
        votes.ballot_cast(vote=vote, actor=world.users["song_council"], elector=elector, choice="yes",
                          channel="paper", at=vote.opens_at)
    with pytest.raises(NotFound):  # a grid's staff see their grid's rows, not the whole community's
        votes.ballot_cast(vote=vote, actor=world.users["li_gridworker"], elector=elector, choice="yes",
                          channel="paper", at=vote.opens_at)
    with pytest.raises(Forbidden):  # an elector may not record another's paper ballot
        votes.ballot_cast(vote=vote, actor=wang, elector=elector, choice="yes", channel="paper", at=vote.opens_at)
    with pytest.raises(Forbidden):
        votes.vote_publish(vote=vote, actor=wang)
    assert not Ballot.objects.filter(vote=vote).exists()


def test_the_electorate_is_all_or_nothing_with_a_row_report(world):
    staff = world.users["zhao_community"]
    vote = make_vote(world, weights=(Decimal(5),))
    with pytest.raises(ValidationFailed) as bad:
        votes.electorate_set(vote=vote, actor=staff, rows=[
            {"key": "unit:1", "label": "1-101", "weight": "89.3"},
            {"key": "unit:1", "label": "1-101", "weight": "10"},
            {"key": "unit:2", "label": "1-102", "weight": "-1"},
            {"key": "unit:3", "label": "1-103", "weight": "NaN"},
            {"key": "", "label": "", "weight": "1"}])
    assert set(bad.value.fields) == {"row 2", "row 3", "row 4", "row 5"}
    assert list(Elector.objects.filter(vote=vote).values_list("weight", flat=True)) == [Decimal(5)]  # unchanged


# --- the three doors -----------------------------------------------------------------------------

def _lift(world):
    from governance.seed import LIFT_VOTE

    return Vote.objects.get(region=world.communities[0], title=LIFT_VOTE)


def test_an_elector_votes_through_the_api_and_sees_the_result_only_once_published(world, api_for):
    from django.urls import reverse

    vote = _lift(world)
    api = api_for("wang_resident")
    url = reverse("api:governance:vote-detail", kwargs={"pk": vote.pk})
    r = api.get(url)
    assert r.status_code == 200 and r.data["my_ballot"]["choice"] is None and r.data["result"] is None
    r = api.post(reverse("api:governance:vote-ballot", kwargs={"pk": vote.pk}), {"choice": "yes"}, format="json")
    assert r.status_code == 200 and r.data["my_ballot"]["choice"] == "yes"
    r = api.post(reverse("api:governance:vote-ballot", kwargs={"pk": vote.pk}), {"choice": "maybe"}, format="json")
    assert r.status_code == 400 and "choice" in r.json()["error"]["fields"]
    votes.sweep(now=vote.closes_at)
    assert api.get(url).data["result"] is None  # counted, not yet published
    assert api_for("zhao_community").get(url).data["result"]["passed"] is False  # staff see the count
    votes.vote_publish(vote=vote, actor=world.users["zhao_community"])
    result = api.get(url).data["result"]
    # 3 of 6 owners took part (255.05 of 495.25 m²): no quorum.
    assert result["participating"] == {"count": "3", "weight": "255.05"} and result["quorum_met"] is False


def test_the_portal_page_has_three_large_buttons_and_records_the_ballot(world, client_for):
    from django.urls import reverse

    vote = _lift(world)
    c = client_for("wang_resident")
    page = c.get(reverse("portal:vote", kwargs={"pk": vote.pk})).content.decode()
    assert 'data-testid="ballot-form"' in page and page.count('name="choice"') == 3
    r = c.post(reverse("portal:vote", kwargs={"pk": vote.pk}), {"choice": "no"})
    assert r.status_code == 302 and Ballot.objects.get(vote=vote, elector__user=world.users["wang_resident"]).choice == "no"
    listing = c.get(reverse("portal:votes")).content.decode()
    assert vote.title in listing
    r = c.post(reverse("portal:vote", kwargs={"pk": vote.pk}), {"choice": ""})
    assert r.status_code == 400 and "ballot-form" in r.content.decode()


def test_staff_put_a_vote_in_the_back_office_with_a_pasted_electorate(world, client_for):
    from django.urls import reverse

    c = client_for("zhao_community")
    opens = timezone.localtime(timezone.now() + dt.timedelta(days=10))
    form = {"title": "小区停车收费调整", "description": "", "region": world.communities[0].pk, "rule": "civil_code_ordinary",
            "weight_label": "专有面积", "notice_days": 7, "changeable": "on",
            "opens_at_0": opens.strftime("%Y-%m-%d"), "opens_at_1": "09:00:00",
            "closes_at_0": (opens + dt.timedelta(days=3)).strftime("%Y-%m-%d"), "closes_at_1": "18:00:00",
            "electorate": "unit:9-101\t9号楼101\t88.5\twang_resident\nunit:9-102\t9号楼102\t70\n"}
    for prefix in ("electors", "ballots"):
        form.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    r = c.post(reverse("admin:governance_vote_add"), form)
    assert r.status_code == 302, r.content.decode()[:2000]
    vote = Vote.objects.get(title="小区停车收费调整")
    assert vote.created_by == world.users["zhao_community"]
    assert list(vote.electors.order_by("key").values_list("label", "weight")) == [
        ("9号楼101", Decimal("88.5")), ("9号楼102", Decimal("70"))]
    bad = dict(form, title="另一个", electorate="unit:1\t1号\t-3\nunit:2\t2号\t1\tnobody_here\n")
    r = c.post(reverse("admin:governance_vote_add"), bad)
    assert r.status_code == 200 and not Vote.objects.filter(title="另一个").exists()
    r = c.post(reverse("admin:governance_vote_changelist"), {"action": "announce", "_selected_action": [vote.pk]})
    assert r.status_code == 302 and Vote.objects.get(pk=vote.pk).status == "notice"
    other = dict(form, title="越界", region=world.communities[2].pk)
    r = c.post(reverse("admin:governance_vote_add"), other)
    assert r.status_code == 200 and not Vote.objects.filter(title="越界").exists()


def test_a_paper_ballot_on_a_vote_not_open_is_refused(world):
    staff = world.users["zhao_community"]
    vote = make_vote(world, weights=(Decimal(1),))
    with pytest.raises(Conflict):
        votes.ballot_cast(vote=vote, actor=staff, elector=vote.electors.get(), choice="yes", channel="paper", at=T0)
