"""Writes tests/mail/corpus/*.eml: hand-written, real-world-shaped mail (Korean webmail, legacy
charsets, broken headers, bounces, auto-replies, deep nesting …). The files are committed; run
`python tests/mail/make_corpus.py` after changing a case here. Bytes are built by hand on purpose:
the point is mail as broken clients send it, which Python's own generator would never produce."""

from __future__ import annotations

import base64
import quopri
from pathlib import Path

OUT = Path(__file__).parent / "corpus"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def b64(data: bytes) -> bytes:
    encoded = base64.b64encode(data)
    return b"\r\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))


def word(text: str, charset: str = "UTF-8", enc: str = "B") -> bytes:
    data = text.encode("cp949" if charset.lower() in ("euc-kr", "ks_c_5601-1987") else charset)
    if enc == "B":
        return b"=?" + charset.encode() + b"?B?" + base64.b64encode(data) + b"?="
    return b"=?" + charset.encode() + b"?Q?" + quopri.encodestring(data, header=True) + b"?="


def headers(*lines: bytes | str) -> bytes:
    return b"\r\n".join(line.encode() if isinstance(line, str) else line for line in lines) + b"\r\n\r\n"


def write(name: str, data: bytes) -> None:
    (OUT / name).write_bytes(data)


COMMON = ("Date: Mon, 23 Nov 2026 15:00:00 +0900", "To: cs@shop.example", "MIME-Version: 1.0")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    # 01 Naver-like: multipart/alternative, base64 UTF-8 parts, B-encoded subject and name.
    text = "안녕하세요. 11월 20일에 주문한 니트가 아직 도착하지 않았습니다.\n주문번호 2026112012345 확인 부탁드립니다."
    html = "<div style='font-size:10pt'><p>안녕하세요. 11월 20일에 주문한 니트가 아직 도착하지 않았습니다.</p><p>주문번호 2026112012345 확인 부탁드립니다.</p></div>"
    write("01_naver_multipart.eml", headers(
        b"From: " + word("김민지") + b" <minji.kim@naver.example>", *COMMON,
        b"Subject: " + word("배송 문의드립니다"), "Message-ID: <naver.20261123150000.abc123@naver.example>",
        'Content-Type: multipart/alternative; boundary="----=_NaverMailBoundary"', "X-Mailer: NaverMailer",
    ) + b"------=_NaverMailBoundary\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + b64(text.encode()) + b"\r\n------=_NaverMailBoundary\r\nContent-Type: text/html; charset=UTF-8\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + b64(html.encode()) + b"\r\n------=_NaverMailBoundary--\r\n")
    # 02 Daum-like EUC-KR, quoted-printable.
    text = "환불 요청합니다. 사이즈가 맞지 않아 반품 접수했어요."
    write("02_daum_euckr.eml", headers(
        b"From: " + word("이서준", "EUC-KR") + b" <seojun@daum.example>", *COMMON,
        b"Subject: " + word("환불 요청", "EUC-KR"), "Message-ID: <20261123060000.daum.77@daum.example>",
        "Content-Type: text/plain; charset=EUC-KR", "Content-Transfer-Encoding: quoted-printable",
    ) + quopri.encodestring(text.encode("euc-kr")) + b"\r\n")
    # 03 Gmail reply in Korean, wrapped attribution line, quoted original.
    body = ("네, 주소는 서울시 마포구 월드컵로 1 입니다.\n\n"
            "2026년 11월 23일 (월) 오후 3:00, 맛있는 식탁 고객센터 <\ncs@shop.example>님이 작성:\n\n"
            "> 안녕하세요, 배송지 주소를 알려주세요.\n> 감사합니다.\n")
    write("03_gmail_ko_reply.eml", headers(
        "From: Minji Kim <minji.kim@gmail.example>", *COMMON,
        b"Subject: Re: " + word("배송지 확인 [#1001]"), "Message-ID: <CAF=gmail-reply-1@mail.gmail.example>",
        "In-Reply-To: <naver.20261123150000.abc123@naver.example>",
        "References: <naver.20261123150000.abc123@naver.example>",
        "Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: 8bit",
    ) + body.encode())
    # 04 CP949-only syllables (똠, 햏, 쌰) declared EUC-KR.
    write("04_cp949_declared_euckr.eml", headers(
        "From: <ddom@hanmail.example>", *COMMON, b"Subject: " + word("똠양꿍 소스 문의", "EUC-KR"),
        "Message-ID: <cp949-as-euckr@hanmail.example>", "Content-Type: text/plain; charset=euc-kr",
        "Content-Transfer-Encoding: 8bit",
    ) + "똠양꿍 소스가 햏 하고 터져서 왔어요. 쌰워 후에 확인했습니다.".encode("cp949") + b"\r\n")
    # 05 ISO-2022-KR (7-bit, old Unix clients).
    body = "교환 신청합니다. 색상이 다릅니다.".encode("iso2022_kr")
    write("05_iso2022kr.eml", headers(
        "From: old-client@kornet.example", *COMMON,
        b"Subject: =?ISO-2022-KR?B?" + base64.b64encode("교환 신청".encode("iso2022_kr")) + b"?=",
        "Message-ID: <iso2022@kornet.example>", "Content-Type: text/plain; charset=ISO-2022-KR",
        "Content-Transfer-Encoding: 7bit",
    ) + body + b"\r\n")
    # 06 UTF-8 bytes declared as ISO-8859-1.
    write("06_utf8_declared_latin1.eml", headers(
        "From: =?iso-8859-1?Q?Park?= <park@outlook.example>", *COMMON, "Subject: order question",
        "Message-ID: <latin1-but-utf8@outlook.example>", "Content-Type: text/plain; charset=iso-8859-1",
        "Content-Transfer-Encoding: 8bit",
    ) + "쿠폰이 적용되지 않았어요. 결제 금액 확인해 주세요.".encode() + b"\r\n")
    # 07 EUC-KR bytes declared as UTF-8.
    write("07_euckr_declared_utf8.eml", headers(
        "From: choi@nate.example", *COMMON, "Subject: =?UTF-8?B?" + base64.b64encode("영수증 요청".encode()).decode() + "?=",
        "Message-ID: <euckr-but-utf8@nate.example>", "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: 8bit",
    ) + "현금영수증 발급 부탁드립니다.".encode("euc-kr") + b"\r\n")
    # 08 raw 8-bit CP949 subject and body, no charset at all.
    write("08_no_charset_8bit.eml", headers(
        "From: jung@company.example", *COMMON, b"Subject: " + "세금계산서 발행 문의".encode("cp949"),
        "Message-ID: <raw8bit@company.example>", "Content-Type: text/plain",
    ) + "사업자 세금계산서 발행 가능한가요?".encode("cp949") + b"\r\n")
    # 09 encoded words splitting one UTF-8 syllable's bytes across two words.
    subject = "주문 취소 요청".encode()
    w1, w2 = subject[:8], subject[8:]  # cuts "취" in the middle
    write("09_broken_rfc2047_split.eml", headers(
        "From: split@webmail.example", *COMMON,
        b"Subject: =?UTF-8?B?" + base64.b64encode(w1) + b"?=\r\n =?UTF-8?B?" + base64.b64encode(w2) + b"?=",
        "Message-ID: <split-words@webmail.example>", "Content-Type: text/plain; charset=utf-8",
    ) + "주문을 취소하고 싶습니다.".encode() + b"\r\n")
    # 10 encoded word declaring ISO-8859-1 around UTF-8 bytes.
    write("10_rfc2047_wrong_charset.eml", headers(
        b"From: =?ISO-8859-1?B?" + base64.b64encode("한지민".encode()) + b"?= <han@mobile.example>", *COMMON,
        b"Subject: =?ISO-8859-1?B?" + base64.b64encode("상품 불량 신고".encode()) + b"?=",
        "Message-ID: <wrong-word-charset@mobile.example>", "Content-Type: text/plain; charset=utf-8",
    ) + "상품에 흠집이 있습니다.".encode() + b"\r\n")
    # 11 encoded word with its base64 padding cut off, and an unknown charset name.
    bad = base64.b64encode("결제 오류".encode()).rstrip(b"=")
    write("11_rfc2047_bad_base64.eml", headers(
        "From: pay@shop-user.example", *COMMON, b"Subject: =?x-unknown?B?" + bad + b"?=",
        "Message-ID: <bad-base64@shop-user.example>", "Content-Type: text/plain; charset=utf-8",
    ) + "카드 결제가 두 번 되었어요.".encode() + b"\r\n")
    # 12 no Message-ID: identified by a content hash.
    write("12_no_message_id.eml", headers(
        "From: nomid@kakao.example", *COMMON, b"Subject: " + word("회원 탈퇴"),
        "Content-Type: text/plain; charset=utf-8",
    ) + "회원 탈퇴하고 싶어요.".encode() + b"\r\n")
    # 13 no From header (a broken script); Sender missing too.
    write("13_no_from.eml", headers(
        *COMMON, b"Subject: " + word("문의"), "Message-ID: <no-from@script.example>",
        "Content-Type: text/plain; charset=utf-8",
    ) + "보낸 사람이 없는 메일입니다.".encode() + b"\r\n")
    # 14 malformed headers: unparseable Date, bare address with a Korean name, header without colon.
    write("14_malformed_headers.eml", headers(
        b"From: " + "홍길동".encode() + b" hong@malformed.example", "To: cs@shop.example",
        "Date: 2026-11-23 25:61:00 KST", "MIME-Version: 1.0", b"Subject: " + word("로그인이 안 돼요"),
        "Message-ID: <malformed@malformed.example>", "Content-Type: text/plain; charset=utf-8; format=flowed",
        "X-Broken header without colon",
    ) + "비밀번호를 바꿔도 로그인이 안 됩니다.".encode() + b"\r\n")
    # 15 DSN bounce of one of our replies (the Message-ID is filled in by the test: {OWN_ID}).
    write("15_bounce_dsn.eml", headers(
        "From: Mail Delivery System <MAILER-DAEMON@mx.shop.example>", *COMMON,
        "Subject: Undelivered Mail Returned to Sender", "Message-ID: <bounce-1@mx.shop.example>",
        "Auto-Submitted: auto-replied", "Return-Path: <>",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"',
    ) + b"--dsn\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThe mail system could not deliver your message.\r\n"
        b"--dsn\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.shop.example\r\n\r\n"
        b"Final-Recipient: rfc822; nobody@nowhere.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"--dsn\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: cs@shop.example\r\nTo: nobody@nowhere.example\r\n"
        b"Subject: Re: test\r\nMessage-ID: <{OWN_ID}>\r\n--dsn--\r\n")
    # 16 vacation auto-reply.
    write("16_vacation_autoreply.eml", headers(
        "From: Minji Kim <minji.kim@naver.example>", *COMMON, b"Subject: " + word("부재중: 답변 드립니다 [#1001]"),
        "Message-ID: <vacation-1@naver.example>", "Auto-Submitted: auto-replied", "X-Autoreply: yes",
        "In-Reply-To: <naver.20261123150000.abc123@naver.example>", "Content-Type: text/plain; charset=utf-8",
    ) + "11월 30일까지 휴가입니다. 복귀 후 연락드리겠습니다.".encode() + b"\r\n")
    # 17 mailing list.
    write("17_list_mail.eml", headers(
        "From: news@list.example", *COMMON, "Subject: [weekly] newsletter", "Message-ID: <list-1@list.example>",
        "List-Id: Weekly <weekly.list.example>", "List-Unsubscribe: <mailto:leave@list.example>",
        "Precedence: list", "Content-Type: text/plain; charset=utf-8",
    ) + "이번 주 소식입니다.".encode() + b"\r\n")
    # 18 huge body: 150,000 characters of text (truncated to the body limit, original kept).
    line = "대용량 본문 테스트 줄입니다. 이 메일은 아주 깁니다.\n"
    write("18_huge_body.eml", headers(
        "From: huge@bigmail.example", *COMMON, b"Subject: " + word("아주 긴 메일"),
        "Message-ID: <huge-1@bigmail.example>", "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: base64",
    ) + b64((line * (150_000 // len(line) + 1)).encode()) + b"\r\n")

    def nested(levels: int, name: str, mid: str) -> None:
        parts = b""
        for i in range(levels):
            parts += f'--b{i}\r\nContent-Type: multipart/mixed; boundary="b{i + 1}"\r\n\r\n'.encode()
        parts += f"--b{levels}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n".encode()
        parts += f"{levels}단계 안쪽의 본문입니다.\r\n".encode()
        for i in range(levels, -1, -1):
            parts += f"--b{i}--\r\n".encode()
        write(name, headers("From: nest@deep.example", *COMMON, f"Subject: nested {levels}",
                            f"Message-ID: <{mid}@deep.example>", 'Content-Type: multipart/mixed; boundary="b0"')
              + parts)

    nested(30, "19_nesting_30.eml", "nest30")
    nested(10, "20_nesting_10.eml", "nest10")
    # 21 inline image (multipart/related, cid).
    html = '<p>사진처럼 파손되어 왔습니다.</p><img src="cid:photo1@local" alt="파손 사진">'
    write("21_inline_image.eml", headers(
        "From: photo@naver.example", *COMMON, b"Subject: " + word("파손 사진 보냅니다"),
        "Message-ID: <inline-1@naver.example>", 'Content-Type: multipart/related; boundary="rel"',
    ) + b"--rel\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + b64(html.encode()) + b"\r\n--rel\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-ID: <photo1@local>\r\nContent-Disposition: inline\r\n\r\n" + b64(PNG) + b"\r\n--rel--\r\n")
    # 22 attachment with an RFC 2231 UTF-8 Korean filename.
    write("22_attachment_korean_rfc2231.eml", headers(
        "From: biz@company.example", *COMMON, b"Subject: " + word("견적서 보내드립니다"),
        "Message-ID: <att-2231@company.example>", 'Content-Type: multipart/mixed; boundary="m"',
    ) + "--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n견적서 첨부합니다.\r\n".encode()
        + b"--m\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; filename*=UTF-8''%EA%B2%AC%EC%A0%81%EC%84%9C.pdf\r\n\r\n"
        + b64(PDF) + b"\r\n--m--\r\n")
    # 23 attachment with an RFC 2231 EUC-KR filename, split into continuations.
    quoted = "".join(f"%{b:02X}" for b in "주문목록.xlsx".encode("euc-kr"))
    write("23_attachment_euckr_rfc2231.eml", headers(
        "From: biz2@company.example", *COMMON, b"Subject: " + word("주문 목록", "EUC-KR"),
        "Message-ID: <att-2231-euckr@company.example>", 'Content-Type: multipart/mixed; boundary="m"',
    ) + b"--m\r\nContent-Type: text/plain; charset=euc-kr\r\n\r\n" + "목록 첨부합니다.".encode("euc-kr")
        + b"\r\n--m\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n"
        b"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment;\r\n filename*0*=EUC-KR''"
        + quoted[:18].encode() + b";\r\n filename*1*=" + quoted[18:].encode() + b"\r\n\r\n"
        + b64(b"PK\x03\x04fake-xlsx") + b"\r\n--m--\r\n")
    # 24 Outlook-style encoded-word filename, octet-stream .hwp (type guessed from the name).
    write("24_attachment_encoded_word_name.eml", headers(
        "From: gov@agency.example", *COMMON, b"Subject: " + word("공문 송부"),
        "Message-ID: <att-hwp@agency.example>", 'Content-Type: multipart/mixed; boundary="m"',
    ) + "--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n공문 첨부합니다.\r\n".encode()
        + b'--m\r\nContent-Type: application/octet-stream; name="' + word("협조요청.hwp") + b'"\r\n'
        b'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="' + word("협조요청.hwp")
        + b'"\r\n\r\n' + b64(b"HWP Document File") + b"\r\n--m--\r\n")
    # 25 an attachment type the ticket does not take (.exe): kept only in the original.
    write("25_attachment_disallowed.eml", headers(
        "From: risky@unknown.example", *COMMON, "Subject: invoice", "Message-ID: <att-exe@unknown.example>",
        'Content-Type: multipart/mixed; boundary="m"',
    ) + "--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n청구서 확인 바랍니다.\r\n".encode()
        + b'--m\r\nContent-Type: application/x-msdownload\r\nContent-Transfer-Encoding: base64\r\n'
        b'Content-Disposition: attachment; filename="invoice.exe"\r\n\r\n' + b64(b"MZ\x90\x00") + b"\r\n--m--\r\n")
    # 26 Outlook reply (Korean): "-----Original Message-----" and a "보낸 사람:" header block.
    body = ("확인 감사합니다. 내일 다시 연락 주세요.\r\n\r\n-----Original Message-----\r\n"
            "보낸 사람: 맛있는 식탁 <cs@shop.example>\r\n보낸 날짜: 2026년 11월 23일 월요일 오후 3:00\r\n"
            "받는 사람: 최유리 <yuri@outlook.example>\r\n제목: 배송 지연 안내\r\n\r\n배송이 지연되고 있습니다.\r\n")
    write("26_outlook_reply_korean.eml", headers(
        b"From: " + word("최유리", "ks_c_5601-1987") + b" <yuri@outlook.example>", *COMMON,
        b"Subject: " + word("RE: 배송 지연 안내", "ks_c_5601-1987"), "Message-ID: <outlook-reply@outlook.example>",
        "In-Reply-To: <unknown-parent@shop.example>", "Content-Type: text/plain; charset=ks_c_5601-1987",
        "Content-Transfer-Encoding: 8bit",
    ) + body.encode("cp949"))
    # 27 Gmail reply (English attribution) with "> " quotes.
    body = ("Thanks, I will wait.\n\nOn Mon, Nov 23, 2026 at 3:00 PM Shop CS <cs@shop.example> wrote:\n"
            "> We are checking your order.\n")
    write("27_gmail_en_reply.eml", headers(
        "From: John <john@gmail.example>", *COMMON, "Subject: Re: Order check",
        "Message-ID: <gmail-en-reply@gmail.example>", "References: <whatever@shop.example>",
        "Content-Type: text/plain; charset=utf-8",
    ) + body.encode())
    # 28 our own reply coming back (a forwarding loop): it carries our X-CXOps-Mailbox header.
    write("28_our_loop.eml", headers(
        "From: cs@shop.example", *COMMON, "Subject: Re: loop [#1001]", "Message-ID: <looped@elsewhere.example>",
        "X-CXOps-Mailbox: 1", "Content-Type: text/plain; charset=utf-8",
    ) + b"loop" + b"\r\n")
    # 29 HTML only, with script, event handlers and a javascript: link.
    html = ('<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>'
            '<p onclick="steal()">환불 계좌를 <a href="javascript:alert(2)">여기</a>에 적었습니다.</p>'
            '<p>국민은행 123-456</p></body></html>')
    write("29_html_only_script.eml", headers(
        "From: html@daum.example", *COMMON, b"Subject: " + word("환불 계좌"),
        "Message-ID: <html-only@daum.example>", "Content-Type: text/html; charset=utf-8",
    ) + html.encode() + b"\r\n")
    # 30 threading by the ticket number in the subject only (no In-Reply-To).
    write("30_ticket_number_subject.eml", headers(
        "From: minji.kim@naver.example", *COMMON, b"Subject: " + word("Re: 배송 문의드립니다 [#1001]"),
        "Message-ID: <subject-thread@naver.example>", "Content-Type: text/plain; charset=utf-8",
    ) + "추가로 문의드립니다. 포장도 찢어져 있었어요.".encode() + b"\r\n")
    # 31 plain-text bounce from a mailer-daemon without a report part.
    write("31_mailer_daemon_plain.eml", headers(
        "From: MAILER-DAEMON@mx.other.example", *COMMON, "Subject: failure notice",
        "Message-ID: <daemon-plain@mx.other.example>", "Content-Type: text/plain; charset=us-ascii",
    ) + b"Sorry, we were unable to deliver your message.\r\n")
    # 32 mobile signature and a "-- " signature block.
    body = "영업시간이 어떻게 되나요?\n\niPhone에서 보냄\n-- \n김하늘 | 010-1234-5678\n"
    write("32_signature_mobile.eml", headers(
        "From: sky@icloud.example", *COMMON, "Subject: Re: hours", "Message-ID: <sig-mobile@icloud.example>",
        "In-Reply-To: <nothing-known@shop.example>", "Content-Type: text/plain; charset=utf-8",
    ) + body.encode())
    # 33 bulk mail (Precedence: bulk).
    write("33_precedence_bulk.eml", headers(
        "From: promo@ads.example", *COMMON, "Subject: 50% sale", "Message-ID: <bulk-1@ads.example>",
        "Precedence: bulk", "Content-Type: text/plain; charset=utf-8",
    ) + "할인 행사 안내".encode() + b"\r\n")
    # 34 subject only, empty body.
    write("34_empty_body.eml", headers(
        "From: empty@naver.example", *COMMON, b"Subject: " + word("연락 부탁드려요"),
        "Message-ID: <empty-body@naver.example>", "Content-Type: text/plain; charset=utf-8",
    ))
    # 35 Q-encoded EUC-KR subject with lower-case charset and a multipart/mixed Daum mail with
    # text, html and an image attachment (not inline).
    write("35_daum_mixed_q.eml", headers(
        b"From: " + word("박지훈", "euc-kr", "Q") + b" <jihoon@daum.example>", *COMMON,
        b"Subject: " + word("교환 요청 사진 첨부", "euc-kr", "Q"), "Message-ID: <daum-mixed@daum.example>",
        'Content-Type: multipart/mixed; boundary="mix"',
    ) + b'--mix\r\nContent-Type: multipart/alternative; boundary="alt"\r\n\r\n'
        b"--alt\r\nContent-Type: text/plain; charset=euc-kr\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + b64("사진 첨부합니다. 교환 부탁드립니다.".encode("euc-kr"))
        + b"\r\n--alt\r\nContent-Type: text/html; charset=euc-kr\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + b64("<p>사진 첨부합니다. 교환 부탁드립니다.</p>".encode("euc-kr")) + b"\r\n--alt--\r\n"
        b'--mix\r\nContent-Type: image/png; name="photo.png"\r\nContent-Transfer-Encoding: base64\r\n'
        b'Content-Disposition: attachment; filename="photo.png"\r\n\r\n' + b64(PNG) + b"\r\n--mix--\r\n")


if __name__ == "__main__":
    main()
