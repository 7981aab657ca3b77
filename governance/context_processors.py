from functools import cache

from django.conf import settings


def portal(request):
    user = getattr(request, "user", None)
    large = False
    if user is not None and user.is_authenticated:
        large = user.large_text
    else:
        large = request.COOKIES.get("large_text") == "1"

    @cache
    def unread_count() -> int:
        # Evaluated by the template only where it is shown, and then once (one COUNT query).
        from governance.notify.selectors import unread_count as count

        return count(user) if user is not None else 0

    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "large_text": large,
        "unread_count": unread_count,
    }
