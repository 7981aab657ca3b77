"""Votes: one counting engine for owners' meetings (业主大会), councils (议事会) and projects.

    vote = votes.vote_create(actor=staff, title="更换电梯", region=compound_region, rule="civil_code_major",
                             opens_at=..., closes_at=..., notice_days=7, weight_label="专有面积 (m²)")
    votes.electorate_set(vote=vote, rows=[{"key": "unit:101", "label": "1-101", "weight": "89.30", "user": u}], actor=staff)
    votes.vote_announce(vote=vote, actor=staff)          # the notice period runs; the sweep opens and closes it
    votes.ballot_cast(vote=vote, actor=resident, choice="yes")                         # in the portal
    votes.ballot_cast(vote=vote, actor=staff, elector=e, choice="no", channel="paper")  # a paper ballot
    votes.vote_publish(vote=vote, actor=staff)           # the result with its arithmetic

* **Exact**: weights are decimals, shares are fractions; every comparison is `a·d ≥ n·b` on
  integers and fractions (no floats), so 2/3 of 300 m² is met by 200 m² and not by 199.9999.
* **Rules** are conditions over chosen bases — the number of electors (`count`) and their weight
  (`weight`, e.g. exclusive area): a quorum (participation of the whole electorate) and a pass
  rule (yes votes of those taking part, or of all). Abstentions take part and are not yes.
  The presets follow the Civil Code, art. 278 (业主共同决定事项).
* **One ballot per elector**, changeable until the close where the vote says so; a paper
  ballot is recorded by staff, and the record says who.
* **States** through governance.statemachine: draft → notice → open → closed (counted) →
  published, or cancelled; the beat sweep opens and closes votes on time.

Written here: no maintained Django package counts weighted owners' votes with two bases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance import access, audit, uploads
from governance.errors import Conflict, Forbidden, ValidationFailed
from governance.models.votes import Ballot, BallotChannel, BallotChoice, Elector, Vote, VoteStatus
from governance.statemachine import Machine, Move

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

BASES = {"count": gettext_lazy("electors"), "weight": gettext_lazy("weight")}


@dataclass(frozen=True)
class Condition:
    """`what` (the participating or the yes votes) measured on `basis` must be `op` `share` of
    `of` (the whole electorate or those taking part)."""

    what: str  # "participating" | "yes"
    of: str  # "total" | "participating"
    basis: str  # "count" | "weight"
    op: str  # ">=" | ">"
    share: Fraction

    def as_dict(self) -> dict:
        return {"what": self.what, "of": self.of, "basis": self.basis, "op": self.op, "share": str(self.share)}

    @classmethod
    def from_dict(cls, d: dict) -> Condition:
        return cls(d["what"], d["of"], d["basis"], d["op"], Fraction(d["share"]))

    def text(self, weight_label: str = "") -> str:
        basis = (weight_label or str(BASES["weight"])) if self.basis == "weight" else str(BASES["count"])
        what = _("taking part") if self.what == "participating" else _("voting yes")
        of = _("of the whole electorate") if self.of == "total" else _("of those taking part")
        op = "≥" if self.op == ">=" else ">"
        return f"{basis} {what} {op} {self.share} {of}"

    def check(self, tally: Tally) -> tuple[bool, Fraction, Fraction]:
        part = getattr(tally, self.what)[self.basis]
        whole = getattr(tally, self.of)[self.basis]
        if whole == 0:
            return False, part, whole
        left, right = part * self.share.denominator, self.share.numerator * whole
        return (left >= right if self.op == ">=" else left > right), part, whole


@dataclass(frozen=True)
class Rule:
    label: StrOrPromise
    quorum: tuple[Condition, ...]
    passing: tuple[Condition, ...]

    def as_dict(self) -> dict:
        return {"label": str(self.label), "quorum": [c.as_dict() for c in self.quorum],
                "passing": [c.as_dict() for c in self.passing]}

    @classmethod
    def from_dict(cls, d: dict) -> Rule:
        return cls(d["label"], tuple(map(Condition.from_dict, d["quorum"])),
                   tuple(map(Condition.from_dict, d["passing"])))


def _both(what, of, op, share) -> tuple[Condition, ...]:
    return (Condition(what, of, "weight", op, share), Condition(what, of, "count", op, share))


TWO_THIRDS, HALF, THREE_QUARTERS = Fraction(2, 3), Fraction(1, 2), Fraction(3, 4)
RULES: dict[str, Rule] = {
    # 民法典 第二百七十八条: 参与表决 ≥ 2/3 of area and of owners; ordinary matters pass with more
    # than half of the participating area and owners, major ones (funds, rebuilding, changing use)
    # with at least three quarters of both.
    "civil_code_ordinary": Rule(gettext_lazy("Owners, ordinary matter (Civil Code art. 278)"),
                                _both("participating", "total", ">=", TWO_THIRDS),
                                _both("yes", "participating", ">", HALF)),
    "civil_code_major": Rule(gettext_lazy("Owners, major matter (Civil Code art. 278)"),
                             _both("participating", "total", ">=", TWO_THIRDS),
                             _both("yes", "participating", ">=", THREE_QUARTERS)),
    # A council or a meeting of members: half present, a majority of those present.
    "simple_majority": Rule(gettext_lazy("Simple majority of members present, half present"),
                            (Condition("participating", "total", "count", ">=", HALF),),
                            (Condition("yes", "participating", "count", ">", HALF),)),
}


def register_rule(key: str, rule: Rule) -> None:
    """An app adds a rule of its own (its key is kept on the vote, its text when announced)."""
    RULES[key] = rule


def rule_of(vote: Vote) -> Rule:
    return Rule.from_dict(vote.rule_text) if vote.rule_text else RULES[vote.rule]


# --- counting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    total: dict[str, Fraction]
    participating: dict[str, Fraction]
    yes: dict[str, Fraction]
    no: dict[str, Fraction]
    abstain: dict[str, Fraction]


def _measure(count, weight) -> dict[str, Fraction]:
    return {"count": Fraction(count or 0), "weight": Fraction(Decimal(weight or 0))}


def tally(vote: Vote) -> Tally:
    """The ballots and the electorate, summed in two queries."""
    total = Elector.objects.filter(vote=vote).aggregate(n=Count("pk"), w=Sum("weight"))
    rows = {r["choice"]: r for r in Ballot.objects.filter(vote=vote).values("choice")
            .annotate(n=Count("pk"), w=Sum("elector__weight"))}
    by = {c: _measure(rows.get(c, {}).get("n"), rows.get(c, {}).get("w")) for c in BallotChoice.values}
    participating = {b: by["yes"][b] + by["no"][b] + by["abstain"][b] for b in BASES}
    return Tally(_measure(total["n"], total["w"]), participating, by["yes"], by["no"], by["abstain"])


def _number(value: Fraction, basis: str) -> str:
    if basis == "count":
        return str(int(value))
    return f"{Decimal(value.numerator) / Decimal(value.denominator):.4f}".rstrip("0").rstrip(".") or "0"


def result(vote: Vote, t: Tally | None = None) -> dict:
    """The outcome with its arithmetic: each condition with its two sides and whether it is met."""
    t = t or tally(vote)
    rule = rule_of(vote)

    def lines(conditions):
        out = []
        for c in conditions:
            met, part, whole = c.check(t)
            out.append({"text": c.text(vote.weight_label), "condition": c.as_dict(), "met": met,
                        "value": f"{_number(part, c.basis)} / {_number(whole, c.basis)}",
                        "share": f"{float(part / whole):.4f}" if whole else "—"})
        return out

    quorum, passing = lines(rule.quorum), lines(rule.passing)
    quorum_met = all(q["met"] for q in quorum)
    return {
        "rule": str(rule.label),
        "electorate": {b: _number(t.total[b], b) for b in BASES},
        "participating": {b: _number(t.participating[b], b) for b in BASES},
        **{c: {b: _number(getattr(t, c)[b], b) for b in BASES} for c in BallotChoice.values},
        "quorum": quorum, "quorum_met": quorum_met,
        "passing": passing, "passed": quorum_met and all(p["met"] for p in passing),
    }


# --- the vote's states ---------------------------------------------------------------------


def _may_announce(vote: Vote, actor, at):
    if not vote.electors.exists():
        return _("Set the electorate before announcing the vote.")
    if vote.opens_at < at + dt.timedelta(days=vote.notice_days):
        return _("The vote must be announced %(days)s days before it opens.") % {"days": vote.notice_days}
    return None


def _opening_time(vote: Vote, actor, at):
    return None if at >= vote.opens_at else _("The vote opens at %(at)s.") % {
        "at": timezone.localtime(vote.opens_at).strftime("%Y-%m-%d %H:%M")}


def _closing_time(vote: Vote, actor, at):
    return None if at >= vote.closes_at else _("The vote closes at %(at)s.") % {
        "at": timezone.localtime(vote.closes_at).strftime("%Y-%m-%d %H:%M")}


S = VoteStatus
MACHINE = Machine("vote", label=lambda status: VoteStatus(status).label, moves={
    "announce": Move((S.DRAFT,), S.NOTICE, gettext_lazy("announce"), guard=_may_announce),
    "open": Move((S.NOTICE,), S.OPEN, gettext_lazy("open"), right="announce", guard=_opening_time),
    "close": Move((S.OPEN,), S.CLOSED, gettext_lazy("close and count"), right="announce", guard=_closing_time),
    "publish": Move((S.CLOSED,), S.PUBLISHED, gettext_lazy("publish the result")),
    "cancel": Move((S.DRAFT, S.NOTICE, S.OPEN), S.CANCELLED, gettext_lazy("cancel")),
})


def _when(vote: Vote, *, opens_at, closes_at, notice_days) -> None:
    errors = {}
    if closes_at <= opens_at:
        errors["closes_at"] = [_("The vote must close after it opens.")]
    if notice_days is not None and notice_days < 0:
        errors["notice_days"] = [_("The notice period cannot be negative.")]
    if errors:
        raise ValidationFailed(fields=errors)


@transaction.atomic
def vote_update(*, vote: Vote, actor, **fields) -> Vote:
    """Edit a draft (the question, its dates and rule); an announced vote is fixed."""
    access.require(actor, "change", vote)
    vote = MACHINE.lock(vote)
    if vote.status != VoteStatus.DRAFT:
        raise Conflict(_("An announced vote cannot be edited; cancel it and put a new one."))
    allowed = {"title", "description", "rule", "opens_at", "closes_at", "notice_days", "changeable", "weight_label"}
    for name, value in fields.items():
        if name not in allowed:
            raise ValidationFailed(fields={name: [_("This cannot be changed.")]})
        setattr(vote, name, value)
    if vote.rule not in RULES:
        raise ValidationFailed(fields={"rule": [_("Choose a rule from the list.")]})
    _when(vote, opens_at=vote.opens_at, closes_at=vote.closes_at, notice_days=vote.notice_days)
    vote.save()
    audit.record(actor=actor, action="vote.change", obj=vote, data={"fields": sorted(fields)})
    return vote


@transaction.atomic
def vote_create(*, actor, title: str, region, rule: str, opens_at, closes_at, notice_days: int = 0,
                changeable: bool = False, description: str = "", weight_label: str = "", subject=None) -> Vote:
    access.need_actor(actor)
    if not access.is_system(actor) and not access.covers(actor, region.path, model=Vote, action="add"):
        raise Forbidden(_("You may not put a vote to this region."))
    errors = {}
    if not (title or "").strip():
        errors["title"] = [_("Write the question.")]
    if rule not in RULES:
        errors["rule"] = [_("Choose a rule from the list.")]
    if errors:
        raise ValidationFailed(fields=errors)
    vote = Vote(title=title.strip(), description=description, region=region, region_path=region.path, rule=rule,
                opens_at=opens_at, closes_at=closes_at, notice_days=notice_days, changeable=changeable,
                weight_label=weight_label, created_by=actor if not access.is_system(actor) else None)
    _when(vote, opens_at=opens_at, closes_at=closes_at, notice_days=notice_days)
    if subject is not None:
        vote.subject = subject
    vote.save()
    audit.record(actor=actor, action="vote.create", obj=vote, data={"rule": rule})
    return vote


def check_electorate(rows: list[dict], *, vote: Vote | None = None) -> tuple[list[Elector], dict[str, list[str]]]:
    """The electors the rows describe, and a report of every bad row ({"row 3": [...]})."""
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    electors = []
    for i, row in enumerate(rows, start=1):
        key, label = str(row.get("key", "")).strip(), str(row.get("label", "")).strip()
        try:
            weight = Decimal(str(row.get("weight", 1)))
            bad_weight = (not weight.is_finite() or weight < 0 or weight >= Decimal("1e10")
                          or weight != weight.quantize(Decimal("0.0001")))
        except (InvalidOperation, ValueError):
            weight, bad_weight = Decimal(0), True
        problems = []
        if not key or not label:
            problems.append(_("a key and a name are needed"))
        if key in seen:
            problems.append(_("this voter is listed twice"))
        if bad_weight:
            problems.append(_("the weight must be a number ≥ 0 with at most 4 decimals"))
        if row.get("username") and row.get("user") is None:
            problems.append(_("no account is called %(name)s") % {"name": row["username"]})
        if problems:
            errors[f"row {i}"] = [str(p) for p in problems]
        seen.add(key)
        electors.append(Elector(vote=vote, key=key, label=label, weight=weight if not bad_weight else 0,
                                user=row.get("user"), region_path=vote.region_path if vote else ""))
    if not electors:
        errors["rows"] = [_("The electorate is empty.")]
    return electors, errors


@transaction.atomic
def electorate_set(*, vote: Vote, rows: list[dict], actor) -> int:
    """Replace the electorate of a draft vote, all or nothing; a row report names each bad row."""
    access.require(actor, "change", vote)
    vote = MACHINE.lock(vote)
    if vote.status != VoteStatus.DRAFT:
        raise Conflict(_("The electorate is fixed once the vote is announced."))
    electors, errors = check_electorate(rows, vote=vote)
    if errors:
        raise ValidationFailed(_("Nothing was changed: correct the rows marked."), fields=errors)
    Elector.objects.filter(vote=vote).delete()
    Elector.objects.bulk_create(electors)
    audit.record(actor=actor, action="vote.electorate", obj=vote,
                 data={"electors": len(electors), "weight": str(sum(e.weight for e in electors))})
    return len(electors)


def electorate_rows(text: str) -> list[dict]:
    """Rows pasted from a spreadsheet (tabs or commas): key, name, weight[, username]. An unknown
    username is a row error (electorate_set reports it with the others)."""
    from governance.models import User

    parsed = uploads.pasted_rows(text)
    names = {row[3] for row in parsed if len(row) > 3 and row[3]}
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    rows = []
    for row in parsed:
        row = row + [""] * (4 - len(row))
        rows.append({"key": row[0], "label": row[1], "weight": row[2] or "1", "user": users.get(row[3]),
                     "username": row[3]})
    return rows


@transaction.atomic
def vote_announce(*, vote: Vote, actor, at=None) -> Vote:
    at = at or timezone.now()

    def fix_rule(v):
        v.announced_at, v.rule_text = at, RULES[v.rule].as_dict()  # the rule as announced stays its rule

    vote, _entry = MACHINE.run(vote, "announce", actor=actor, at=at, change=fix_rule)
    return vote


@transaction.atomic
def vote_open(*, vote: Vote, actor, at=None) -> Vote:
    vote, _entry = MACHINE.run(vote, "open", actor=actor, at=at or timezone.now())
    return vote


@transaction.atomic
def vote_close(*, vote: Vote, actor, at=None) -> Vote:
    """Close at the stated time and count; the result waits for publication."""
    at = at or timezone.now()

    def count(v):
        v.counted_at, v.result = at, result(v)

    vote, _entry = MACHINE.run(vote, "close", actor=actor, at=at, change=count)
    return vote


@transaction.atomic
def vote_publish(*, vote: Vote, actor, at=None) -> Vote:
    at = at or timezone.now()
    vote, _entry = MACHINE.run(vote, "publish", actor=actor, at=at,
                               change=lambda v: setattr(v, "published_at", at), audit_data={"passed": vote.result.get("passed")})
    return vote


@transaction.atomic
def vote_cancel(*, vote: Vote, actor, reason: str, at=None) -> Vote:
    if not (reason or "").strip():
        raise ValidationFailed(fields={"reason": [_("Say why the vote is cancelled.")]})
    vote, _entry = MACHINE.run(vote, "cancel", actor=actor, at=at or timezone.now(), audit_data={"reason": reason})
    return vote


# --- ballots -------------------------------------------------------------------------------


@transaction.atomic
def ballot_cast(*, vote: Vote, actor, choice: str, elector: Elector | None = None,
                channel: str = BallotChannel.PORTAL, at=None) -> Ballot:
    """One ballot per elector. In the portal the elector is the actor's own row; a paper ballot
    names its elector and needs the right to record ballots. Changing a ballot is allowed only
    where the vote says so, and only until it closes."""
    at = at or timezone.now()
    access.need_actor(actor)
    if choice not in BallotChoice.values:
        raise ValidationFailed(fields={"choice": [_("Choose yes, no or abstain.")]})
    if channel == BallotChannel.PAPER:
        access.require(actor, "record_ballot", vote)
        if elector is None or elector.vote_id != vote.pk:
            raise ValidationFailed(fields={"elector": [_("Choose the voter of this paper ballot.")]})
    else:
        access.require(actor, "view", vote)
        elector = Elector.objects.filter(vote=vote, user=actor).first()
        if elector is None:
            raise Forbidden(_("You are not on the electorate of this vote."))
    elector = Elector.objects.select_for_update().get(pk=elector.pk)  # one voter's ballots serialize here
    vote = Vote.objects.get(pk=vote.pk)
    if vote.status != VoteStatus.OPEN or not (vote.opens_at <= at < vote.closes_at):
        raise Conflict(_("This vote is not open for ballots."))
    ballot = Ballot.objects.filter(elector=elector).first()
    if ballot is not None:
        if ballot.choice == choice:
            return ballot  # the same ballot again (a retry): nothing changes
        if not vote.changeable:
            raise Conflict(_("You have voted; this vote does not allow changing a ballot."))
        before = ballot.choice
        ballot.choice, ballot.changed_at, ballot.channel = choice, at, channel
        ballot.recorded_by = actor if channel == BallotChannel.PAPER else None
        ballot.save(update_fields=["choice", "changed_at", "channel", "recorded_by"])
        audit.record(actor=actor, action="vote.ballot_change", obj=vote,
                     data={"elector": elector.pk, "from": before, "to": choice, "channel": channel})
        return ballot
    # One ballot per elector: the elector's row lock above serializes their ballots, and the
    # one-to-one column refuses a second in the database.
    ballot = Ballot.objects.create(vote=vote, elector=elector, choice=choice, channel=channel, cast_at=at,
                                   recorded_by=actor if channel == BallotChannel.PAPER else None,
                                   region_path=vote.region_path)
    audit.record(actor=actor, action="vote.ballot", obj=vote, data={"elector": elector.pk, "channel": channel})
    return ballot


def result_visible(user, vote: Vote) -> bool:
    """Electors see the result once published; staff who run the vote once it is counted."""
    if vote.status == VoteStatus.PUBLISHED:
        return True
    return vote.status == VoteStatus.CLOSED and access.can(user, "publish", vote)


def my_elector(vote: Vote, user) -> Elector | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Elector.objects.filter(vote=vote, user=user).select_related("ballot").first()


# --- on time ---------------------------------------------------------------------------------


def sweep(*, now=None) -> dict[str, int]:
    """Beat: open the announced votes whose time has come, close and count those that ended."""
    now = now or timezone.now()
    counts = {"opened": 0, "closed": 0}
    system = access.system()
    for vote in Vote.objects.filter(status=VoteStatus.NOTICE, opens_at__lte=now):
        vote_open(vote=vote, actor=system, at=now)
        counts["opened"] += 1
    for vote in Vote.objects.filter(status=VoteStatus.OPEN, closes_at__lte=now):
        vote_close(vote=vote, actor=system, at=now)
        counts["closed"] += 1
    return counts
