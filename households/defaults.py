"""Defaults an office edits in admin, copied from the domain rules (special_groups in rules.yaml):
the project never reads ../shared at run time. Loaded by migration 0003 and by the demo seed."""

SPECIAL_GROUPS = [
    # code, name, sensitive, watch, restricted, visit frequency, sub-types, attribute choices
    ("elderly_alone", "独居老人", False, True, False, "weekly", [], {}),
    ("elderly_empty_nest", "空巢老人", False, False, False, "monthly", [], {}),
    ("disabled", "残疾人", True, False, False, "monthly", [],
     {"grade": ["一级", "二级", "三级", "四级"], "type": ["视力", "听力", "言语", "肢体", "智力", "精神", "多重"]}),
    ("dibao", "低保户", True, False, False, "monthly", [], {}),
    ("tekun", "特困人员", True, False, False, "weekly", ["分散供养", "集中供养"], {}),
    ("child_left_behind", "留守儿童", False, False, False, "monthly", [], {}),
    ("child_in_difficulty", "困境儿童", True, False, False, "monthly", ["困境家庭儿童", "自身困境儿童"], {}),
    ("veteran", "退役军人", False, False, False, "quarterly", [], {}),
    ("key_person", "重点人员", True, False, True, "monthly", ["社区矫正", "刑满释放", "严重精神障碍", "吸毒人员"], {}),
    ("party_member", "党员", False, False, False, "none", [], {}),
]

# 民政 (civil affairs) sees these assistance groups of its district, masked (ROLES.md).
ASSISTANCE_GROUPS = ("disabled", "dibao", "tekun")


def load_special_groups(TagType, VisitRule):
    """Create the default groups and visit rules that do not exist yet; never overwrite edits."""
    from households.models.records import FREQUENCY_DAYS

    for order, (code, name, sensitive, watch, restricted, freq, subtypes, attrs) in enumerate(SPECIAL_GROUPS):
        tag, _ = TagType.objects.get_or_create(code=code, defaults={
            "name": name, "sensitive": sensitive, "watch": watch, "restricted": restricted,
            "subtypes": subtypes, "attr_choices": attrs, "order": order})
        VisitRule.objects.get_or_create(tag=tag, defaults={"frequency": freq,
                                                           "interval_days": FREQUENCY_DAYS.get(freq)})
