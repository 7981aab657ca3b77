"""Reads of the core's own rows: which portal cards a person sees, and the API token behind a
request. The blocks' reads live with their block (`access`, `notify.selectors`, `ledger`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from governance import access, votes
from governance.models import (
    ApiToken,
    BallotChoice,
    Elector,
    Objection,
    Publicity,
    PublicityStatus,
    Vote,
    VoteStatus,
)
from governance.models.tokens import hash_token
from governance.roles import DEPARTMENT_ROLES, STAFF_ROLES, Role

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class PortalLink:
    """A card on the home / me page. `url_name` may name a route another app has not built yet."""

    url_name: str
    title: StrOrPromise
    text: StrOrPromise
    audience: str  # "resident" | "newcomer" (no role yet) | "staff" | "department" | "everyone"


# Residents: the things they come for. Staff: the back office and their phone pages.
PORTAL_LINKS = [
    PortalLink("workorders:report", _("Report a problem"),
               _("A broken street light, rubbish, noise, a leak: send a photo and where it is."), "resident"),
    PortalLink("workorders:mine", _("My reports"),
               _("Follow what you reported, step by step, and say whether it was solved."), "resident"),
    PortalLink("households:mine", _("My household"),
               _("Check your household file and your family's care contacts."), "resident"),
    PortalLink("workorders:public", _("Problems in my community"),
               _("What neighbours have reported and how far each one has got."), "resident"),
    PortalLink("households:register", _("Register as a resident"),
               _("Tell your community who you are and where you live; staff confirm it."), "newcomer"),
    PortalLink("portal:votes", _("Votes"),
               _("Owners' and residents' votes you may take part in, and their results."), "resident"),
    PortalLink("portal:publicity_list", _("Public notices (公示)"),
               _("Lists published for everyone to check, such as points and projects; object if something is wrong."),
               "resident"),
    PortalLink("notify:inbox", _("Messages"), _("Notices, and updates on what you reported or follow."),
               "everyone"),
    PortalLink("admin:index", _("Back office"),
               _("Household files, work orders and everything in your area, for staff."), "staff"),
    PortalLink("workorders:staff", _("Work orders on my phone"),
               _("The orders of your grid or department, for when you are out and about."), "staff"),
    PortalLink("households:staff", _("Households and visits"),
               _("Buildings, households and the visits that are due in your area."), "staff"),
    PortalLink("care:alerts", _("Care alerts"),
               _("Elderly people living alone whose meters look unusual: who needs a call or a visit."), "staff"),
    PortalLink("api-docs", _("API documentation"),
               _("How department systems and devices talk to Linli (OpenAPI)."), "department"),
]


def _resolve(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def audiences(user) -> set[str]:
    """Which groups of cards a user sees: residents' cards for everyone who is not staff."""
    if not user.is_authenticated:
        return set()
    roles = {a.role for a in access.assignments(user)}
    groups = {"everyone"}
    if user.is_superuser or roles & STAFF_ROLES:
        groups.add("staff")
    if roles & DEPARTMENT_ROLES or user.is_service_account:
        groups.add("department")
    if Role.RESIDENT in roles or "staff" not in groups:
        groups.add("resident")
    if not roles and not user.is_superuser:
        groups.add("newcomer")
    return groups


def portal_links(user) -> list[dict]:
    """The cards this user should see, with their URLs; routes that do not exist yet are left out."""
    groups = audiences(user)
    cards = []
    for link in PORTAL_LINKS:
        if link.audience not in groups:
            continue
        url = _resolve(link.url_name)
        if url:
            cards.append({"name": link.url_name, "url": url, "title": link.title, "text": link.text,
                          "audience": link.audience})
    return cards


def token_for_key(raw: str) -> ApiToken | None:
    """The live token with this raw key, with its user and department; None if unknown or revoked."""
    return (ApiToken.objects.select_related("user", "department")
            .filter(key_hash=hash_token(raw), revoked_at__isnull=True).first())


# --- votes (the portal's pages; counting is governance.votes) -----------------------------


def my_votes(user) -> list[dict]:
    """The votes `user` is an elector of, once announced, with their own ballot."""
    electors = (Elector.objects.filter(user=user).exclude(vote__status=VoteStatus.DRAFT)
                .select_related("vote", "vote__region", "ballot").order_by("-vote__opens_at", "-vote_id"))
    return [{"vote": e.vote, "elector": e, "ballot": getattr(e, "ballot", None)} for e in electors]


def vote_for(user, pk) -> Vote:
    return access.get_or_404(Vote.objects.select_related("region"), user, "view", pk=pk)


def vote_page(user, vote: Vote) -> dict:
    elector = votes.my_elector(vote, user)
    ballot = getattr(elector, "ballot", None) if elector else None
    may_vote = (elector is not None and vote.status == VoteStatus.OPEN
                and (ballot is None or vote.changeable))
    return {"vote": vote, "rule": votes.rule_of(vote), "elector": elector, "ballot": ballot, "may_vote": may_vote,
            "choices": BallotChoice.choices, "result": vote.result if votes.result_visible(user, vote) else None}


# --- publicity (公示) ------------------------------------------------------------------------


def publicity_for(user) -> list[Publicity]:
    """What the person may read, running ones first, then the latest; drafts only for staff."""
    rows = access.scope(Publicity.objects.select_related("region"), user, "view")
    order: dict[str, int] = {PublicityStatus.PUBLISHED: 0, PublicityStatus.DECIDING: 1, PublicityStatus.DRAFT: 2}
    return sorted(rows.order_by("-starts_at", "-pk")[:100], key=lambda p: order.get(p.status, 3))


def publicity_get(user, pk) -> Publicity:
    return access.get_or_404(Publicity.objects.select_related("region"), user, "view", pk=pk)


def publicity_page(user, pub: Publicity) -> dict:
    from django.utils import timezone

    running = pub.status == PublicityStatus.PUBLISHED and pub.ends_at is not None and timezone.now() < pub.ends_at
    return {"pub": pub, "items": list(pub.items.all()), "running": running,
            "may_object": running and access.can(user, "object", pub),
            "mine": list(Objection.objects.filter(publicity=pub, user=user).select_related("item"))}

