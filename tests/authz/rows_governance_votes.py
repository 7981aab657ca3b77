"""Matrix rows for votes (governance.votes): the seeded lift vote of community A (open; 王秀兰 is
an elector with an account, two neighbours voted on paper) and a draft beside it."""

from tests.authz.matrix import Row, admin_rows


def _lift_vote(w):
    from governance.models import Vote
    from governance.seed import LIFT_VOTE

    return Vote.objects.get(region=w.communities[0], title=LIFT_VOTE)


def _draft_vote(w):
    import datetime as dt

    from django.utils import timezone

    from governance import votes

    now = timezone.now()
    vote = votes.vote_create(actor=w.users["zhao_community"], title="草稿：绿化改造", region=w.communities[0],
                             rule="civil_code_ordinary", opens_at=now + dt.timedelta(days=10),
                             closes_at=now + dt.timedelta(days=12))
    votes.electorate_set(vote=vote, actor=w.users["zhao_community"],
                         rows=[{"key": "unit:x", "label": "王秀兰", "weight": "80", "user": w.users["wang_resident"]}])
    return vote


OBJECTS = {"vote_lift": _lift_vote, "vote_draft": _draft_vote}

A = "api:governance:"
ROWS = [
    Row(A + "vote-list", None, 401),
    Row(A + "vote-list", "wang_resident", 200),
    Row(A + "vote-list", "feng_resident", 200),
    *[Row(A + "vote-detail", p, s, obj="vote_lift") for p, s in [
        ("wang_resident", 200), ("feng_resident", 404), ("zhao_community", 200), ("he_community", 404),
        ("chen_street", 200), ("zhou_outsider", 404), ("liu_district", 200), ("song_council", 200),
        ("li_gridworker", 404), ("sun_department", 404), ("xu_merchant", 404)]],
    Row(A + "vote-detail", "wang_resident", 404, obj="vote_draft", note="an elector sees a vote once announced"),
    Row(A + "vote-detail", "zhao_community", 200, obj="vote_draft"),
    *[Row(A + "vote-ballot", p, s, obj="vote_lift", method="post", data={"choice": "yes"}) for p, s in [
        (None, 401), ("wang_resident", 200), ("feng_resident", 404), ("zhao_community", 403),
        ("song_council", 403), ("zhou_outsider", 404)]],
    Row(A + "vote-ballot", "wang_resident", 404, obj="vote_draft", method="post", data={"choice": "yes"}),
    Row(A + "vote-ballot", "zhao_community", 403, obj="vote_draft", method="post", data={"choice": "yes"},
        note="staff are not electors; paper ballots name their voter"),
    # Portal
    Row("portal:votes", None, 302),
    Row("portal:votes", "wang_resident", 200),
    Row("portal:votes", "li_gridworker", 200),
    *[Row("portal:vote", p, s, obj="vote_lift") for p, s in [
        (None, 302), ("wang_resident", 200), ("feng_resident", 404), ("zhao_community", 200), ("he_community", 404)]],
    Row("portal:vote", "wang_resident", 404, obj="vote_draft"),
    *[Row("portal:vote", p, s, obj="vote_lift", method="post", data={"choice": "no"}) for p, s in [
        (None, 302), ("wang_resident", 302), ("feng_resident", 404), ("zhao_community", 403)]],
    # Admin
    *admin_rows("governance_vote", "zhao_community", obj="vote_lift", changelist=200, add=200, change=200,
                delete=403, history=200),
    *admin_rows("governance_vote", "zhao_community", obj="vote_draft", changelist=200, add=200, change=200,
                delete=403, history=200),
    *admin_rows("governance_vote", "he_community", obj="vote_lift", changelist=200, add=200, change=404,
                delete=404, history=404),
    *admin_rows("governance_vote", "li_gridworker", obj="vote_lift", changelist=200, add=403, change=404,
                delete=404, history=404),
    *admin_rows("governance_vote", "song_council", obj="vote_lift", changelist=302, add=302, change=302,
                delete=302, history=302),
    *admin_rows("governance_vote", "wang_resident", obj="vote_lift", changelist=302, add=302, change=302,
                delete=302, history=302),
    *admin_rows("governance_vote", "sun_department", obj="vote_lift", changelist=403, add=403, change=403,
                delete=403, history=403),
]
