"""Demo people: the center's staff (fixed logins) and generated customers.

Customer contact data is fictional: mobile numbers are random, and email addresses use the
reserved ``example.com``/``example.net``/``example.org`` domains so nothing can ever be mailed to a
real person by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

DEMO_PASSWORD = "cxops-demo-1234"
DEMO_EMAIL_DOMAIN = "cxops.demo"
CENTER_NAME = "한빛 고객센터"


@dataclass(frozen=True)
class Staff:
    email: str
    name: str
    title: str
    roles: dict[str, str]  # workspace slug -> role
    teams: dict[str, tuple[str, ...]]  # workspace slug -> team names
    capacity: int = 0


# The outsourced center: ten people across three client workspaces, plus one read-only login
# per client company. Documented in the README and printed by `cxops demo`.
STAFF: tuple[Staff, ...] = (
    Staff("admin@cxops.demo", "윤태호", "센터장", {"shop": "admin", "scooter": "admin", "waste": "admin"}, {}),
    Staff("manager@cxops.demo", "최은영", "운영매니저",
          {"shop": "manager", "scooter": "manager", "waste": "manager"},
          {"shop": ("불만전담팀",), "scooter": ("사고접수팀",)}),
    Staff("lead@cxops.demo", "정하늘", "팀장", {"shop": "lead", "scooter": "agent"},
          {"shop": ("게시판팀", "불만전담팀"), "scooter": ("채팅팀",)}),
    Staff("lead2@cxops.demo", "한도윤", "팀장", {"scooter": "lead", "waste": "lead"},
          {"scooter": ("사고접수팀", "전화상담팀"), "waste": ("영업지원팀", "올바로지원팀")}),
    Staff("agent1@cxops.demo", "김민지", "상담원", {"shop": "agent"}, {"shop": ("게시판팀", "채팅팀")}, 40),
    Staff("agent2@cxops.demo", "이서준", "상담원", {"shop": "agent", "scooter": "agent"},
          {"shop": ("전화상담팀",), "scooter": ("전화상담팀",)}, 40),
    Staff("agent3@cxops.demo", "박지우", "상담원", {"shop": "agent", "waste": "agent"},
          {"shop": ("채팅팀",), "waste": ("게시판팀", "올바로지원팀")}, 35),
    Staff("agent4@cxops.demo", "송유나", "상담원", {"scooter": "agent"}, {"scooter": ("채팅팀",)}, 40),
    Staff("agent5@cxops.demo", "오현석", "상담원", {"scooter": "agent", "waste": "agent"},
          {"scooter": ("전화상담팀",), "waste": ("전화상담팀",)}, 35),
    Staff("agent6@cxops.demo", "장미래", "상담원", {"shop": "agent", "waste": "agent"},
          {"shop": ("전화상담팀", "게시판팀"), "waste": ("전화상담팀",)}, 35),
    Staff("viewer.shop@cxops.demo", "김지현", "맛있는식탁 CS파트장", {"shop": "client_viewer"}, {}),
    Staff("viewer.scooter@cxops.demo", "노준혁", "씽씽라이드 운영팀", {"scooter": "client_viewer"}, {}),
    Staff("viewer.waste@cxops.demo", "서은비", "깨끗한환경 고객지원과장", {"waste": "client_viewer"}, {}),
)

# How much of a workspace's work each role picks up.
ROLE_LOAD = {"agent": 1.0, "lead": 0.45, "manager": 0.12, "admin": 0.0, "client_viewer": 0.0}

SURNAMES = (
    ("김", 21.5), ("이", 14.7), ("박", 8.4), ("최", 4.7), ("정", 4.3), ("강", 2.4), ("조", 2.1), ("윤", 2.0),
    ("장", 2.0), ("임", 1.7), ("한", 1.5), ("오", 1.5), ("서", 1.5), ("신", 1.4), ("권", 1.4), ("황", 1.4),
    ("안", 1.3), ("송", 1.3), ("전", 1.1), ("홍", 1.1), ("유", 1.0), ("고", 0.9), ("문", 0.9), ("양", 0.9),
    ("손", 0.9), ("배", 0.8), ("백", 0.7), ("허", 0.6), ("남", 0.5), ("심", 0.5), ("노", 0.5), ("하", 0.4),
    ("곽", 0.4), ("성", 0.4), ("차", 0.4), ("주", 0.4), ("우", 0.4), ("구", 0.4), ("민", 0.3), ("진", 0.3),
)
GIVEN_NAMES = (
    "민준", "서연", "지훈", "지영", "현우", "수빈", "예은", "도윤", "하은", "성민", "은정", "영수", "미경", "정호",
    "상철", "경희", "재원", "태희", "윤서", "시우", "지민", "유진", "동현", "혜진", "승현", "소영", "진우", "미란",
    "준호", "다은", "건우", "서윤", "민서", "하준", "채원", "은지", "영희", "순자", "명숙", "광수", "병철", "옥순",
    "지아", "주원", "예린", "현정", "선영", "정민", "수정", "태현", "민호", "가은", "나연", "우진", "재훈", "보람",
    "슬기", "한결", "용준", "정숙", "미숙", "영호", "기현", "혜원", "수아", "지호", "민재", "연우", "세영", "아름",
    "종민", "대호", "경민", "은비", "소희", "준영", "상우", "미정", "영미", "진희", "성훈", "주희", "해진", "다인",
)
MIDDLE = ("2", "3", "4", "5", "6", "7", "8", "9")
EMAIL_WORDS = (
    "sunny", "minty", "blue", "dream", "happy", "mango", "choco", "lucky", "star", "moon", "river", "cloud",
    "peach", "tiger", "bear", "hana", "jjang", "hello", "rainbow", "soft", "mint", "sky", "jade", "kiwi",
)
ROMAN_SURNAME = {"김": "kim", "이": "lee", "박": "park", "최": "choi", "정": "jung", "강": "kang", "조": "cho",
                 "윤": "yoon", "장": "jang", "임": "lim", "한": "han", "오": "oh", "서": "seo", "신": "shin"}
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")

# Writing styles of customers (see grammar.roughen) and how common they are.
STYLES = (("neat", 0.42), ("casual", 0.38), ("messy", 0.14), ("elderly", 0.06))


def weighted(rng: Random, pairs: tuple[tuple[str, float], ...]) -> str:
    names, weights = zip(*pairs, strict=True)
    return rng.choices(names, weights=weights)[0]


def person_name(rng: Random) -> str:
    return weighted(rng, SURNAMES) + rng.choice(GIVEN_NAMES)


def mask_name(name: str) -> str:
    """How marketplaces show a buyer: 김*지."""
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mobile(rng: Random) -> str:
    return f"010-{rng.choice(MIDDLE)}{rng.randrange(1000):03d}-{rng.randrange(10000):04d}"


def written_phone(phone: str, rng: Random) -> str:
    """The same number as a customer types it."""
    digits = phone.replace("-", "")
    return rng.choice([phone, phone, digits, f"{digits[:3]} {digits[3:7]} {digits[7:]}", f"{digits[:3]}.{digits[3:7]}.{digits[7:]}"])


def email_for(rng: Random, name: str) -> str:
    surname = ROMAN_SURNAME.get(name[0], "user")
    local = rng.choice([
        f"{rng.choice(EMAIL_WORDS)}{rng.randrange(10, 99)}",
        f"{surname}{rng.choice(EMAIL_WORDS)}",
        f"{surname}.{rng.randrange(1970, 2006)}",
        f"{rng.choice(EMAIL_WORDS)}_{surname}{rng.randrange(1, 9)}",
    ])
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


COMPANY_STEMS = (
    "대성정밀", "한빛물산", "해오름식품", "동일산업", "세진테크", "우리화학", "미래포장", "삼원금속", "성광인쇄", "태평양물류",
    "새한전자", "대한목재", "청솔가구", "영진플라스틱", "금강산업", "한결기계", "신일도장", "하나실업", "진성코팅", "일신제지",
    "보람식품", "다온바이오", "가람건설", "푸른산업개발", "동서피앤씨", "명성산업", "에스제이테크", "케이엠소재", "그린패키지",
)
COMPANY_FORMS = ("(주){}", "{}(주)", "{}", "주식회사 {}", "(유){}")
SITES = ("화성 2공장", "본사", "안산 반월공장", "시흥 시화공장", "평택 물류센터", "김포 공장", "인천 남동공장", "판교 신축현장",
         "용인 물류창고", "오산 공장", "광주(경기) 공장", "파주 출판단지 사업장")
NON_COMPANY_CUSTOMERS = ("{}아파트 관리사무소", "{} 상가번영회", "{}초등학교 행정실")
PLACE_STEMS = ("한빛마을", "푸른숲", "햇살", "새솔", "은행나무", "느티", "동백", "매화")
JOB_TITLES = ("과장", "대리", "부장", "팀장", "주임", "실장", "차장", "소장")


def company_name(rng: Random) -> str:
    if rng.random() < 0.12:
        return rng.choice(NON_COMPANY_CUSTOMERS).format(rng.choice(PLACE_STEMS))
    return rng.choice(COMPANY_FORMS).format(rng.choice(COMPANY_STEMS))


def business_number(rng: Random) -> str:
    return f"{rng.randrange(101, 899)}-{rng.choice(['81', '86', '85', '88'])}-{rng.randrange(10000, 99999)}"
