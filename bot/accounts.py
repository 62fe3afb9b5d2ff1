"""Accounts of the web admin panel: who may sign in, with which role, as which operator."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.exceptions import IntegrityError

from bot import audit
from bot.directory import DirectoryError
from bot.i18n import LANGUAGES
from storage.models import AdminAccount, Operator

ROLES = ("admin", "supervisor", "operator")
MIN_PASSWORD = 10
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
_hasher = PasswordHasher()
# Checked against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"the password needs at least {MIN_PASSWORD} characters"
    return None


async def create_account(
    username: str,
    password: str,
    *,
    role: str = "admin",
    operator: Operator | None = None,
    language: str = "en",
    by: str = "cli",
    at: datetime,
) -> AdminAccount:
    problems = []
    if not _USERNAME.match(username):
        problems.append("the name may hold 2-64 letters, digits and _ . @ -")
    if role not in ROLES:
        problems.append(f"the role must be one of {', '.join(ROLES)}")
    if language not in LANGUAGES:
        problems.append(f"the language must be one of {', '.join(LANGUAGES)}")
    if (problem := password_problem(password)) is not None:
        problems.append(problem)
    if role != "admin" and operator is None:
        problems.append(f"a {role} account needs the operator it belongs to")
    if problems:
        raise DirectoryError("\n".join(problems))
    try:
        account = await AdminAccount.create(
            username=username,
            password_hash=hash_password(password),
            role=role,
            operator=operator,
            language=language,
        )
    except IntegrityError as error:
        raise DirectoryError(f"an account named {username!r} exists already") from error
    await audit.record("account.created", at=at, actor_name=by, new=f"{username} ({role})")
    return account


async def authenticate(username: str, password: str) -> AdminAccount | None:
    account = await AdminAccount.get_or_none(username=username, disabled=False)
    if account is None:
        check_password(_DUMMY_HASH, password)
        return None
    return account if check_password(account.password_hash, password) else None
