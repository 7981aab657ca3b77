"""Language helpers for tests of what each recipient reads."""

from django.utils import translation


def speaks(user, language):
    """The user's chosen language ('' = none chosen: the site's)."""
    user.language = language
    user.save(update_fields=["language"])
    return user


def rendered_in(language, text):
    """A (lazy) text as it reads in `language`."""
    with translation.override(language):
        return str(text)
