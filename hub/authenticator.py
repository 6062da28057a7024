"""Log-in for the one-machine hub: every roster student and staff member has their own generated password.

`course.py hub` writes the passwords once to `.hub/hub/passwords.csv` (readable by the hub's user only) and the
instructor hands each student theirs. Unlike a shared class password, no student can log in as another. It is
still a demo authenticator (no password change, no lock-out): a class on a network uses PAM, OAuth or LTI
(README, "Running a class on JupyterHub").
"""
from __future__ import annotations

import hmac
from pathlib import Path

from jupyterhub.auth import Authenticator
from traitlets import Unicode

from classroom import read_passwords


class RosterPasswordAuthenticator(Authenticator):
    passwords_file = Unicode(config=True, help="CSV with username,password (written by course.py hub).")

    async def authenticate(self, handler, data):
        username = self.normalize_username(data.get("username", ""))
        password = data.get("password", "")
        expected = read_passwords(Path(self.passwords_file)).get(username)
        if expected and hmac.compare_digest(expected.encode(), password.encode()):
            return username
        self.log.warning("Failed log-in for %r", username)
        return None
