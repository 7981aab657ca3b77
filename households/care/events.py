"""Live pushes of the care alert list: after commit, every open list that may show the alert is
told that it changed (the page then re-fetches its list). Groups follow the Alert policy: the
regions on the alert's path (staff of a region see its alerts), the person (care contacts) and
"all" (superusers). A lost push is only a delay: the page polls while its socket is down."""

from __future__ import annotations

from governance.live import group_send_on_commit

ALL_GROUP = "care_all"


def region_group(region_id: int) -> str:
    return f"care_region_{region_id}"


def person_group(person_id: int) -> str:
    return f"care_person_{person_id}"


def groups_for(region_path: str, person_id: int | None) -> list[str]:
    groups = [ALL_GROUP] + [region_group(int(rid)) for rid in region_path.strip("/").split("/") if rid]
    if person_id:
        groups.append(person_group(person_id))
    return groups


def _payload(alert_id: int, event: str, state: str, kind: str) -> dict:
    return {"type": "care.alert", "alert": alert_id, "event": event, "state": state, "kind": kind}


def push(alert, event: str) -> None:
    """`alert` was raised or changed state (`event`: raised, acknowledge, visit, resolve, escalate)."""
    group_send_on_commit([(groups_for(alert.region_path, alert.person_id),
                           _payload(alert.pk, event, alert.state, alert.kind))], what=f"care alert {alert.pk}")


def push_ids(alert_ids: list[int], event: str) -> None:
    """The same for alerts changed in bulk (one query for their places)."""
    if not alert_ids:
        return
    from households.care.models import Alert

    rows = Alert.objects.filter(pk__in=alert_ids).values_list("pk", "region_path", "person_id", "state", "kind")
    group_send_on_commit([(groups_for(path, person), _payload(pk, event, state, kind))
                          for pk, path, person, state, kind in rows], what="care alerts")
