"""One-time SMS login codes. (The governance helper completes this module.)"""


def verify_login_code(*, mobile: str, code: str):
    return None
