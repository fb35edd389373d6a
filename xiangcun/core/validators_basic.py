"""Tiny validators the accounts module needs before the full set in core/validators.py."""
import re

from django.core.exceptions import ValidationError

_FULLWIDTH = str.maketrans("０１２３４５６７８９＋　", "0123456789+ ")


def normalise_mobile(value: str) -> str:
    """A mainland mobile number: 11 digits starting with 1 (spaces, dashes, +86 allowed)."""
    text = re.sub(r"[\s-]", "", (value or "").translate(_FULLWIDTH))
    if text.startswith("+86"):
        text = text[3:]
    if not re.fullmatch(r"1[3-9]\d{9}", text):
        raise ValidationError(f"手机号“{value}”应为 11 位数字,以 1 开头")
    return text
