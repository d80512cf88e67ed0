from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxops.core.masking import mask_email, mask_name, mask_phone, mask_text
from cxops.core.phones import format_phone, normalize_phone
from cxops.core.sanitize import html_to_text, sanitize_html, text_to_html


@pytest.mark.parametrize("raw", ["010-1234-5678", "01012345678", "+82 10 1234 5678", "+82-10-1234-5678",
                                 "82 10 1234 5678", "010.1234.5678", " 010 1234 5678 ", "(010) 1234-5678"])
def test_mobile_formats_normalise_to_one_form(raw: str) -> None:
    assert normalize_phone(raw) == "01012345678"


@pytest.mark.parametrize(("raw", "expected"), [
    ("02-123-4567", "021234567"), ("02-1234-5678", "0212345678"), ("031-123-4567", "0311234567"),
    ("1588-1234", "15881234"), ("+82 2 1234 5678", "0212345678"),
])
def test_landlines_and_representative_numbers(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["", "abc", "12", "+1 415 555 0100", "010-12"])
def test_non_korean_or_garbage_is_rejected(raw: str) -> None:
    assert normalize_phone(raw) is None


@given(st.integers(min_value=0, max_value=9999), st.integers(min_value=0, max_value=9999),
       st.sampled_from(["-", " ", "", "."]), st.booleans())
def test_any_mobile_spelling_round_trips(middle: int, last: int, sep: str, international: bool) -> None:
    digits = f"010{middle:04d}{last:04d}"
    head = "+82 10" if international else "010"
    raw = f"{head}{sep}{middle:04d}{sep}{last:04d}"
    assert normalize_phone(raw) == digits
    assert normalize_phone(format_phone(digits)) == digits


def test_masking() -> None:
    assert mask_name("홍길동") == "홍*동"
    assert mask_name("남궁민수") == "남**수"
    assert mask_name("김철") == "김*"
    assert mask_phone("010-1234-5678") == "010-****-5678"
    assert mask_email("kimminsu@example.com") == "ki******@example.com"
    masked = mask_text("연락처 010-1234-5678, 메일 kimminsu@example.com 입니다")
    assert "1234" not in masked and "kimminsu" not in masked and "5678" in masked


def test_sanitize_removes_scripts_and_handlers() -> None:
    dirty = '<p onclick="steal()">안녕<script>alert(1)</script><a href="javascript:x()">링크</a><img src=x onerror=y></p>'
    clean = sanitize_html(dirty)
    assert "script" not in clean and "onclick" not in clean and "javascript:" not in clean and "onerror" not in clean
    assert "안녕" in clean


def test_text_html_round_trip() -> None:
    html = text_to_html("첫 줄\n둘째 줄\n\n<b>태그 아님</b>")
    assert "&lt;b&gt;" in html and "<br>" in html
    assert html_to_text(html).splitlines()[0] == "첫 줄"
