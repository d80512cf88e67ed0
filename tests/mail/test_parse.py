"""Parsing of the hand-written corpus (tests/mail/corpus, built by make_corpus.py): every case asserted."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from cxops.mail.decode import decode_header, decode_text
from cxops.mail.parse import EmailParseError, ParsedEmail, parse_email, ticket_number_in
from cxops.mail.quotes import strip_reply

CORPUS = Path(__file__).parent / "corpus"


def load(name: str) -> ParsedEmail:
    return parse_email((CORPUS / name).read_bytes())


# file → expected fields (subsets: "text" is a substring, "attachments" the (filename, type) pairs)
EXPECTED: dict[str, dict[str, Any]] = {
    "01_naver_multipart.eml": {"subject": "배송 문의드립니다", "from_name": "김민지", "from_addr": "minji.kim@naver.example",
                               "text": "니트가 아직 도착하지", "html": "<p>안녕하세요.", "auto": ""},
    "02_daum_euckr.eml": {"subject": "환불 요청", "from_name": "이서준", "text": "사이즈가 맞지 않아"},
    "03_gmail_ko_reply.eml": {"subject": "Re: 배송지 확인 [#1001]", "in_reply_to": ["naver.20261123150000.abc123@naver.example"]},
    "04_cp949_declared_euckr.eml": {"subject": "똠양꿍 소스 문의", "text": "햏 하고 터져서 왔어요. 쌰워"},
    "05_iso2022kr.eml": {"subject": "교환 신청", "text": "색상이 다릅니다", "charsets": ["iso2022_kr"]},
    "06_utf8_declared_latin1.eml": {"text": "쿠폰이 적용되지 않았어요", "charsets": ["utf-8"]},
    "07_euckr_declared_utf8.eml": {"subject": "영수증 요청", "text": "현금영수증 발급", "charsets": ["cp949"]},
    "08_no_charset_8bit.eml": {"subject": "세금계산서 발행 문의", "text": "사업자 세금계산서"},
    "09_broken_rfc2047_split.eml": {"subject": "주문 취소 요청"},
    "10_rfc2047_wrong_charset.eml": {"subject": "상품 불량 신고", "from_name": "한지민"},
    "11_rfc2047_bad_base64.eml": {"subject": "결제 오류"},
    "12_no_message_id.eml": {"message_id": "", "subject": "회원 탈퇴"},
    "13_no_from.eml": {"from_addr": "", "text": "보낸 사람이 없는"},
    "14_malformed_headers.eml": {"from_name": "홍길동", "from_addr": "hong@malformed.example", "date": None,
                                 "text": "로그인이 안 됩니다"},
    "15_bounce_dsn.eml": {"auto": "bounce", "bounced_message_ids": ["{OWN_ID}"]},
    "16_vacation_autoreply.eml": {"auto": "auto_reply"},
    "17_list_mail.eml": {"auto": "list"},
    "18_huge_body.eml": {"truncated": True, "text": "본문이 너무 길어 잘렸습니다"},
    "20_nesting_10.eml": {"text": "10단계 안쪽의 본문입니다"},
    "21_inline_image.eml": {"html": 'src="cid:photo1@local"', "attachments": [("photo1.png", "image/png")]},
    "22_attachment_korean_rfc2231.eml": {"attachments": [("견적서.pdf", "application/pdf")]},
    "23_attachment_euckr_rfc2231.eml": {"attachments": [
        ("주문목록.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")], "text": "목록 첨부"},
    "24_attachment_encoded_word_name.eml": {"attachments": [("협조요청.hwp", "application/x-hwp")]},
    "25_attachment_disallowed.eml": {"attachments": [("invoice.exe", "application/x-msdownload")]},
    "26_outlook_reply_korean.eml": {"from_name": "최유리", "subject": "RE: 배송 지연 안내", "text": "-----Original Message-----"},
    "27_gmail_en_reply.eml": {"references": ["whatever@shop.example"]},
    "28_our_loop.eml": {"auto": "loop"},
    "29_html_only_script.eml": {"text": "", "html": "국민은행 123-456"},
    "30_ticket_number_subject.eml": {"subject": "Re: 배송 문의드립니다 [#1001]"},
    "31_mailer_daemon_plain.eml": {"auto": "bounce"},
    "32_signature_mobile.eml": {"text": "iPhone에서 보냄"},
    "33_precedence_bulk.eml": {"auto": "list"},
    "34_empty_body.eml": {"text": "", "subject": "연락 부탁드려요"},
    "35_daum_mixed_q.eml": {"from_name": "박지훈", "subject": "교환 요청 사진 첨부", "text": "교환 부탁드립니다",
                            "attachments": [("photo.png", "image/png")]},
}


def test_corpus_is_complete() -> None:
    files = sorted(p.name for p in CORPUS.glob("*.eml"))
    assert len(files) >= 30
    assert set(files) == set(EXPECTED) | {"19_nesting_30.eml"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_case(name: str) -> None:
    parsed = load(name)
    for key, want in EXPECTED[name].items():
        got = getattr(parsed, key)
        if key == "attachments":
            assert [(a.filename, a.content_type) for a in got] == want
        elif key in ("text", "html") and want:
            assert want in got, (name, key, got[:200])
        elif key == "charsets":
            assert got[0] == want[0]
        else:
            assert got == want, (name, key, got)
    # Nothing decodes to mojibake or replacement characters.
    assert "\ufffd" not in parsed.subject + parsed.text + parsed.from_name
    assert "Ã" not in parsed.subject + parsed.text


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(EmailParseError) as info:
        load("19_nesting_30.eml")
    assert info.value.reason == "too_deep"
    assert "30" not in info.value.detail or "20" in info.value.detail
    # Relaxed limits (reprocessing from the quarantine) read it.
    parsed = parse_email((CORPUS / "19_nesting_30.eml").read_bytes(), max_depth=100)
    assert "30단계 안쪽의 본문입니다" in parsed.text


def test_size_limit_and_empty_mail() -> None:
    raw = (CORPUS / "18_huge_body.eml").read_bytes()
    with pytest.raises(EmailParseError) as info:
        parse_email(raw, max_bytes=100_000)
    assert info.value.reason == "too_large"
    with pytest.raises(EmailParseError) as info:
        parse_email(b"  \r\n")
    assert info.value.reason == "empty"


def test_content_hash_identity_is_stable() -> None:
    raw = (CORPUS / "12_no_message_id.eml").read_bytes()
    first = parse_email(raw).external_id
    # A server adds trace headers on the way: the identity does not change.
    second = parse_email(b"Received: from mx by mx2; Mon, 23 Nov 2026 15:00:01 +0900\r\n" + raw).external_id
    assert first == second and first.startswith("hash:")
    assert parse_email(raw.replace("탈퇴하고".encode(), "탈퇴를".encode())).external_id != first


def test_own_message_id_is_a_loop() -> None:
    raw = (b"From: someone@else.example\r\nSubject: x\r\nMessage-ID: <cxops.5.abc@shop.example>\r\n\r\nhi\r\n")
    assert parse_email(raw, is_own_id=lambda mid: mid.startswith("cxops.")).auto == "loop"
    assert parse_email(raw).auto == ""


@pytest.mark.parametrize(("data", "declared", "expected"), [
    ("안녕하세요".encode("euc-kr"), "euc-kr", "안녕하세요"),
    ("똠방각하".encode("cp949"), "euc-kr", "똠방각하"),
    ("안녕하세요".encode(), "euc-kr", "안녕하세요"),
    ("안녕하세요".encode(), "iso-8859-1", "안녕하세요"),
    ("안녕하세요".encode("cp949"), "utf-8", "안녕하세요"),
    ("안녕하세요".encode("cp949"), None, "안녕하세요"),
    ("안녕".encode("iso2022_kr"), None, "안녕"),
    ("café".encode("latin-1"), "iso-8859-1", "café"),
    (b"plain", "bogus-charset", "plain"),
])
def test_decode_text(data: bytes, declared: str | None, expected: str) -> None:
    assert decode_text(data, declared)[0] == expected


def test_decode_header_cases() -> None:
    assert decode_header("=?UTF-8?B?" + base64.b64encode("한글".encode()).decode() + "?= 제목") == "한글 제목"
    assert decode_header("=?utf-8?q?=ED=95=9C?= =?utf-8?q?=EA=B8=80?=") == "한글"
    assert decode_header("=?ks_c_5601-1987?B?" + base64.b64encode("문의".encode("cp949")).decode() + "?=") == "문의"
    assert decode_header(None) == ""
    assert decode_header("=?UTF-8?B?broken") == "=?UTF-8?B?broken"


def test_ticket_number_in_subject() -> None:
    assert ticket_number_in("Re: 배송 문의 [#1042]") == 1042
    assert ticket_number_in("#1042") is None


@pytest.mark.parametrize(("text", "kept", "cut"), [
    ("네 알겠습니다.\n\n2026년 11월 23일 (월) 오후 3:00, 홍길동 <hong@a.kr>님이 작성:\n> 원문", "네 알겠습니다.", "원문"),
    ("Thanks!\n\nOn Mon, Nov 23, 2026 at 3:00 PM Shop <cs@shop.kr> wrote:\n> old", "Thanks!", "old"),
    ("확인했습니다.\n-----Original Message-----\nFrom: a\n옛날 내용", "확인했습니다.", "옛날 내용"),
    ("좋아요\n\n보낸 사람: 고객센터 <cs@shop.kr>\n받는 사람: 나\n제목: 안내\n\n옛 본문", "좋아요", "옛 본문"),
    ("감사합니다\n\n--------- 원본 메일 ---------\n보낸사람: x\n원래", "감사합니다", "원래"),
    ("질문 있어요\n\nGalaxy에서 보냄", "질문 있어요", "Galaxy"),
    ("본문\n-- \n서명", "본문", "서명"),
    ("답\n\n> 인용1\n> 인용2\n", "답", "인용1"),
])
def test_strip_reply(text: str, kept: str, cut: str) -> None:
    new, stripped = strip_reply(text)
    assert stripped and new == kept and cut not in new


def test_strip_reply_keeps_a_fully_quoted_message() -> None:
    text = "-----Original Message-----\n보낸 사람: a\n받는 사람: b\n전달합니다"
    assert strip_reply(text) == (text, False)
