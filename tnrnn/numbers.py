"""Exact integers of any size as text: in full, grouped, or in exponent form.

Bounds such as ``M^(T/2)`` reach hundreds of thousands of digits, past Python's default
limit on int-to-text conversion (4300 digits, ``sys.get_int_max_str_digits``). Every
place that shows a big integer (command line, tables, reprs, drawings, JSON) goes
through this module, so that no conversion raises and every form agrees:

- :func:`int_to_text`: all the digits, whatever the size (no global setting changed);
- :func:`decimal_digits`: how many digits, without converting;
- :func:`format_int`: ``12,345`` up to ``max_digits`` digits, else ``1.235e+45``;
- :func:`format_int_latex` / :func:`format_int_math`: ``12{,}345`` or
  ``1.235 \\times 10^{45}`` for LaTeX, the same in ``$...$`` for matplotlib mathtext.

Examples
--------
>>> format_int(1234567)
'1,234,567'
>>> format_int(2**200)
'1.607e+60'
>>> format_int_latex(2**200)
'1.607 \\\\times 10^{60}'
>>> decimal_digits(10**5000), len(int_to_text(10**5000))
(5001, 5001)
"""

from __future__ import annotations

import math

__all__ = [
    "decimal_digits",
    "int_to_text",
    "text_to_int",
    "format_int",
    "format_int_latex",
    "format_int_math",
    "json_safe",
    "JSON_MAX_DIGITS",
]

#: Integers with more digits than this go into JSON as strings of all their digits:
#: Python's ``json.loads`` refuses numbers past 4300 digits (``sys.get_int_max_str_digits()``);
#: the store's exports use the same threshold.
JSON_MAX_DIGITS = 4000

#: Digits converted in one ``str`` call (safely below Python's 4300-digit limit).
_CHUNK = 4000


def decimal_digits(n: int) -> int:
    """Number of decimal digits of ``|n|`` (1 for 0), exact, without text conversion."""
    n = abs(int(n))
    if n < 10:
        return 1
    k = int(n.bit_length() * math.log10(2))  # 10**k <= 2**(bits-1) * 2 ... close; fix below
    while 10**k > n:
        k -= 1
    while 10 ** (k + 1) <= n:
        k += 1
    return k + 1


def int_to_text(n: int) -> str:
    """All decimal digits of ``n`` (with a leading ``-`` if negative), of any size."""
    n = int(n)
    if n < 0:
        return "-" + int_to_text(-n)
    digits = decimal_digits(n)
    if digits <= _CHUNK:
        return str(n)
    low = digits // 2
    high, rest = divmod(n, 10**low)
    return int_to_text(high) + int_to_text(rest).zfill(low)


def text_to_int(text: str) -> int:
    """The integer written in ``text`` (decimal digits, optional sign), of any length.

    The inverse of :func:`int_to_text`; raises ``ValueError`` on anything else.

    >>> text_to_int(int_to_text(7**9000)) == 7**9000
    True
    """
    text = text.strip()
    sign = -1 if text[:1] == "-" else 1
    digits = text[1:] if text[:1] in "+-" else text
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"not a decimal integer: {text[:40]!r}")
    if len(digits) <= _CHUNK:
        return sign * int(digits)
    low = len(digits) // 2
    return sign * (text_to_int(digits[:-low]) * 10**low + text_to_int(digits[-low:]))


def json_safe(obj):
    """``obj`` with every integer of more than :data:`JSON_MAX_DIGITS` digits replaced by
    the string of all its digits (dicts, lists and tuples are walked; tuples become lists).

    tnrnn's JSON output carries every exact integer: as a JSON number when it has at most
    4000 digits (so that ``json.loads`` reads it back as it is), else as a JSON string of
    its digits (read it back with :func:`text_to_int`). Nothing is rounded.

    >>> import json
    >>> json.dumps(json_safe({"a": 2**10, "b": [10**5000]}))[:24]
    '{"a": 1024, "b": ["10000'
    """
    if isinstance(obj, bool) or obj is None:
        return obj
    if isinstance(obj, int):
        if obj.bit_length() > 3 * JSON_MAX_DIGITS and decimal_digits(obj) > JSON_MAX_DIGITS:
            return int_to_text(obj)
        return obj
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    return obj


def _mantissa_exponent(n: int, significant: int) -> tuple[str, int]:
    """``n > 0`` rounded (half up, exactly) to ``significant`` digits: ('1.235', 45)."""
    exp = decimal_digits(n) - 1
    shift = exp - (significant - 1)
    if shift > 0:
        q, r = divmod(n, 10**shift)
        q += 2 * r >= 10**shift
    else:
        q = n * 10 ** (-shift)
    if q >= 10**significant:  # 9.9996e45 rounds up to 1.000e46
        q //= 10
        exp += 1
    text = str(q)
    return (text[0] + "." + text[1:] if significant > 1 else text), exp


def format_int(n: int, *, max_digits: int = 15, significant: int = 4) -> str:
    """``n`` in full with thousands separators if it has at most ``max_digits`` digits,
    else in exponent form with ``significant`` digits (``1.235e+45``)."""
    n = int(n)
    if decimal_digits(n) <= max_digits:
        return f"{n:,}"
    mant, exp = _mantissa_exponent(abs(n), significant)
    return f"{'-' if n < 0 else ''}{mant}e+{exp}"


def format_int_latex(n: int, *, max_digits: int = 15, significant: int = 4) -> str:
    """LaTeX math (no dollars): ``12{,}345`` or ``1.235 \\times 10^{45}``."""
    n = int(n)
    if decimal_digits(n) <= max_digits:
        return f"{n:,}".replace(",", "{,}")
    mant, exp = _mantissa_exponent(abs(n), significant)
    return f"{'-' if n < 0 else ''}{mant} \\times 10^{{{exp}}}"


def format_int_math(n: int, *, max_digits: int = 15, significant: int = 4) -> str:
    """The same as :func:`format_int_latex`, between dollars for matplotlib mathtext."""
    return f"${format_int_latex(n, max_digits=max_digits, significant=significant)}$"
