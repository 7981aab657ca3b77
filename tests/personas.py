"""The fixed people of every test, the same in every file (STYLE.md), built by the
same code as the demo (governance.seed), so the README's accounts are these people.

  wang_resident   resident of 和平里社区 (community A)       feng_resident  resident of 安华里社区 (community B)
  li_gridworker   grid A1 (和平里社区第一网格)               wu_gridworker  grid A2 (out-of-scope twin)
  ma_gridleader   grid leader of grid A1                    hu_loudong     micro-grid head under grid A1
  zhao_community  community A staff                         he_community   community B staff (twin)
  chen_street     street A officer (和平街道)               zhou_outsider  street B officer (安贞街道)
  liu_district    district admin                            admin          superuser
  sun_department  城管执法局 staff                           qian_department 民政局 staff (twin)
  shui_utility    供水公司 (a utility's service account)
  xu_merchant, lin_trustee, guo_supervisor, luo_committee, song_council (community A council)
"""

from governance.seed import seed

STAFF_PERSONAS = [
    "li_gridworker", "wu_gridworker", "ma_gridleader", "hu_loudong", "zhao_community", "he_community",
    "chen_street", "zhou_outsider", "liu_district", "sun_department", "qian_department",
]
ALL_PERSONAS = STAFF_PERSONAS + [
    "wang_resident", "feng_resident", "shui_utility", "xu_merchant", "lin_trustee", "guo_supervisor",
    "luo_committee", "song_council", "admin",
]


def load_world():
    """The world as seeded (idempotent: only SELECTs when it exists). Users are fresh
    objects, so cached assignments never leak between tests."""
    return seed()
