"""The one hash of every client token a gallery hands out (unlock tokens, recipients' share links): only the
hash is stored, so a leaked table opens nothing."""

import hashlib


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
