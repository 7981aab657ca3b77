from django.conf import settings


def portal(request):
    user = getattr(request, "user", None)
    large = False
    unread = 0
    if user is not None and user.is_authenticated:
        large = user.large_text
    else:
        large = request.COOKIES.get("large_text") == "1"
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "large_text": large,
        "unread_count": unread,
    }
