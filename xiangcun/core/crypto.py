"""Personal data at rest: a model field encrypted with the PII key, and masks for display.

The key comes from XIANGCUN_PII_KEY (a Fernet key); locally one is generated into the data
directory. Values are stored as Fernet tokens; lookups by value are not possible by design.
"""
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def encrypt(value: str) -> str:
    return _fernet(settings.PII_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(settings.PII_KEY).decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("个人信息无法解密:加密密钥(XIANGCUN_PII_KEY)与加密时不一致") from None


class Ciphertext(str):
    """A token already encrypted with the PII key (e.g. from a backup): stored as it is, not encrypted again."""


class EncryptedCharField(models.TextField):
    """A text value encrypted at rest. Empty strings stay empty (nothing to protect)."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        if isinstance(value, Ciphertext):
            return str(value)
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)


def mask_middle(value: str, keep_start: int, keep_end: int) -> str:
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return value[0] + "*" * (len(value) - 1)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_id_number(value: str) -> str:
    """510***********1234"""
    return mask_middle(value, 3, 4)


def mask_phone(value: str) -> str:
    """139****5678"""
    return mask_middle(value, 3, 4)


def mask_name(value: str) -> str:
    """张*, 欧阳**"""
    return (value[0] + "*" * (len(value) - 1)) if value else ""


def blind_index(value: str, purpose: str = "id_number") -> str:
    """A keyed hash of a personal value (e.g. a 身份证号), for finding duplicates without decrypting: equal
    values give equal indexes, and without the PII key the index reveals nothing (a plain hash of an
    18-digit number with a known structure would be brute-forced in minutes). The key is derived from the
    PII key and the purpose, so an index made for one column cannot be matched against another's.
    Values are compared after trimming and upper-casing (a trailing x and X are the same 身份证号)."""

    text = (value or "").strip().upper()
    if not text:
        return ""
    key = hashlib.sha256(f"xiangcun-blind-index:{purpose}:".encode() + settings.PII_KEY.encode()).digest()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
