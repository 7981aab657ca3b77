"""Matrix rows for roles held on one object (Assignment.target, governance.access Policy.target):
a compound's trustee, trust supervisor and owners' committee, a merchant's shop, a council member's
council — each sees their own object and not the one beside it."""

from tests.authz.matrix import Row, admin_rows


def _compound(w, community, name, holders=()):
    from governance import access
    from governance.models import Assignment
    from governance.seed import set_target
    from households.models import Compound
    from households.services import building_create, compound_create

    existing = Compound.objects.filter(name=name).first()
    if existing is not None:
        return existing
    grid = next(g for g in w.grids if g.path.startswith(community.path))
    building = building_create(grid=grid, name="9号楼", address=f"{name}9号", actor=access.system())
    compound = compound_create(community=community, name=name, buildings=[building], actor=access.system())
    for username in holders:
        set_target(Assignment.objects.get(user=w.users[username]), compound)
    return compound


def _shop(w, name, holder=None):
    from governance import access
    from governance.models import Assignment
    from governance.seed import set_target
    from households.services import building_create, business_create, unit_create

    b = building_create(grid=w.grids[0], name="商铺楼", address=f"{name}所在街1号", actor=access.system())
    business = business_create(unit=unit_create(building=b, number="101", actor=access.system()), name=name,
                               kind="shop", owner_name="店主", actor=access.system())
    if holder:
        set_target(Assignment.objects.get(user=w.users[holder]), business)
    return business


OBJECTS = {
    "compound_a": lambda w: _compound(w, w.communities[0], "和平里东街1号院",
                                      ("lin_trustee", "guo_supervisor", "luo_committee")),
    "compound_b": lambda w: _compound(w, w.communities[2], "安华西里小区"),
    "shop_xu": lambda w: _shop(w, "徐记便民超市", "xu_merchant"),
    "shop_other": lambda w: _shop(w, "隔壁理发店"),
    "council_a": lambda w: w.councils[0],
    "council_b": lambda w: w.councils[1],
}

H, G = "api:households:", "api:governance:"
ROWS = [
    *[Row(H + "compound-detail", p, s, obj="compound_a") for p, s in [
        (None, 401), ("lin_trustee", 200), ("guo_supervisor", 200), ("luo_committee", 200), ("zhao_community", 200),
        ("he_community", 404), ("wang_resident", 404), ("xu_merchant", 404), ("song_council", 404)]],
    *[Row(H + "compound-detail", p, s, obj="compound_b") for p, s in [
        ("lin_trustee", 404), ("guo_supervisor", 404), ("luo_committee", 404), ("he_community", 200)]],
    Row(H + "compound-list", None, 401),
    Row(H + "compound-list", "lin_trustee", 200),
    *[Row(H + "business-detail", p, s, obj="shop_xu") for p, s in [
        ("xu_merchant", 200), ("li_gridworker", 200), ("lin_trustee", 404), ("wang_resident", 404)]],
    Row(H + "business-detail", "xu_merchant", 404, obj="shop_other"),
    *[Row(G + "council-detail", p, s, obj="council_a") for p, s in [
        (None, 401), ("song_council", 200), ("zhao_community", 200), ("he_community", 404), ("wang_resident", 404),
        ("lin_trustee", 404)]],
    Row(G + "council-detail", "song_council", 404, obj="council_b"),
    Row(G + "council-list", None, 401),
    Row(G + "council-list", "song_council", 200),
    # Admin: the community keeps its compounds and councils; the object roles use the portal and API.
    *admin_rows("households_compound", "zhao_community", obj="compound_a", changelist=200, add=200, change=200,
                delete=403, history=200),
    *admin_rows("households_compound", "he_community", obj="compound_a", changelist=200, add=200, change=404,
                delete=404, history=404),
    *admin_rows("households_compound", "lin_trustee", obj="compound_a", changelist=302, add=302, change=302,
                delete=302, history=302),
    *admin_rows("governance_council", "zhao_community", obj="council_a", changelist=200, add=200, change=200,
                delete=403, history=200),
    *admin_rows("governance_council", "zhao_community", obj="council_b", changelist=200, add=200, change=404,
                delete=404, history=404),
    *admin_rows("governance_council", "song_council", obj="council_a", changelist=302, add=302, change=302,
                delete=302, history=302),
]
