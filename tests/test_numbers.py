"""Big-integer formatting against Python's own conversion (limit lifted in the test only)."""

import sys

import pytest

from tnrnn.numbers import decimal_digits, format_int, format_int_latex, format_int_math, int_to_text


@pytest.fixture
def unlimited_str():
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    yield
    sys.set_int_max_str_digits(old)


@pytest.mark.parametrize("n", [0, 1, 9, 10, 99, 100, 10**4000 - 1, 10**4000, 10**4001 + 7,
                               2**50000, 3**40000 - 1, 10**12345], ids=lambda n: f"{n.bit_length()}bits")
def test_digits_and_text_match_python(n, unlimited_str):
    assert decimal_digits(n) == len(str(n))
    assert int_to_text(n) == str(n)
    assert int_to_text(-n) == str(-n)


def test_text_beyond_python_limit_without_changing_it():
    n = 7**100000
    limit = sys.get_int_max_str_digits()
    text = int_to_text(n)
    assert sys.get_int_max_str_digits() == limit
    assert len(text) == decimal_digits(n) and text[0] != "0"
    assert int(text[-3:]) == n % 1000


@pytest.mark.parametrize("n, text", [
    (0, "0"), (999, "999"), (1234567, "1,234,567"), (10**15 - 1, "999,999,999,999,999"),
    (10**15, "1.000e+15"), (2**200, "1.607e+60"), (99995 * 10**20, "1.000e+25"),
    (12345 * 10**20, "1.235e+24"), (12344 * 10**20, "1.234e+24"), (-(10**20), "-1.000e+20"),
])
def test_format_int(n, text):
    assert format_int(n) == text


def test_latex_and_math_forms():
    assert format_int_latex(12345) == "12{,}345"
    assert format_int_latex(2**200) == r"1.607 \times 10^{60}"
    assert format_int_math(2**200) == r"$1.607 \times 10^{60}$"
    assert format_int(2**100000).endswith("e+30102")
