"""Reads of the inbox. A notification is only ever its recipient's: every read filters on it."""

from governance.models import Notification


def inbox(user, *, since=None, unread_only=False):
    """The user's own notifications, newest first (`since`: created after that moment)."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    qs = Notification.objects.filter(user=user)
    if since is not None:
        qs = qs.filter(created_at__gt=since)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
