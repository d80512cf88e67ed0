"""The complaint scorer: a calibrated logistic model over complaint cues and morpheme n-grams.

Pure Python + numpy, no Django. Features of one text:

* ``c:<cue>`` — a cue from the lexicon below matched in the normalised text (a substring, so it survives
  spacing errors: "소비자원에신고" still holds 소비자원 and 신고);
* ``w:<morpheme>`` and ``b:<a>_<b>`` — the content morphemes Kiwi finds (``cxops.core.text.lexemes``),
  as unigrams and adjacent bigrams.

Features are binary and the model is an L2-regularised logistic regression fitted by Newton steps on the
active features only, so training on a few hundred sentences takes milliseconds. Its raw scores are then
calibrated (Platt scaling on out-of-fold scores), so 0.7 means "about 7 in 10 such tickets were
complaints" on the training data. A stored model is plain JSON (weights by feature name), never pickle.

The built-in seed set (`SEED_EXAMPLES`) is a small set of Korean sentences written for this project:
complaints (anger, threats to report, repeated contact, demands for compensation) and ordinary inquiries
(delivery dates, how-to, address changes, thanks). A workspace model is trained on the seed set plus
its agents' flag/unflag decisions, which weigh more than the seed sentences.
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Complaint cues: phrases customers use when they complain. Keys are feature names, values substrings.
CUES: dict[str, tuple[str, ...]] = {
    "threat": ("소비자원", "1372", "신고", "고소", "고발", "소송", "민원", "신문고", "공정위", "공정거래위원회",
               "변호사", "법적", "언론", "제보"),
    "anger": ("화가", "화나", "짜증", "어이없", "어이가 없", "황당", "최악", "실망", "열받", "기가 막", "기가막",
              "불쾌", "미치겠", "장난하", "분노"),
    "service": ("불친절", "무시", "태도", "반말", "성의 없", "성의없", "응대가"),
    "fraud": ("사기", "속였", "거짓말", "뻔뻔"),
    "repeat": ("몇 번", "몇번", "여러 번", "여러번", "계속", "아직도", "또다시", "매번", "벌써", "도대체"),
    "demand": ("보상", "책임지", "책임 지", "사과", "배상", "당장", "환불해"),
    "defect": ("불량", "파손", "깨져", "곰팡이", "이물질", "상했", "썩", "벌레", "탈이"),
    "cancel": ("다시는", "탈퇴", "불매", "두 번 다시", "두번 다시"),
}
THREAT_PHRASES: tuple[str, ...] = CUES["threat"]


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def cue_hits(text: str) -> list[str]:
    """Names of the cue groups found in `text` (already normalised or not)."""
    t = norm(text)
    return [name for name, phrases in CUES.items() if any(p in t for p in phrases)]


def features(text: str, tokens: Sequence[str]) -> list[str]:
    """Binary feature names of one text; `tokens` are its content morphemes in order."""
    feats = {f"c:{name}" for name in cue_hits(text)}
    feats.update(f"w:{t}" for t in tokens)
    feats.update(f"b:{a}_{b}" for a, b in itertools.pairwise(tokens))
    return sorted(feats)


def _sigmoid(x: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def _fit(rows: list[list[int]], y: np.ndarray, weights: np.ndarray, n_features: int, l2: float,
         iterations: int = 30) -> tuple[np.ndarray, float]:
    """L2 logistic regression on binary rows (lists of column indexes), Newton–Raphson with a dense Hessian.
    Vocabularies here are a few thousand columns at most; the bias is not penalised."""
    n = len(rows)
    x = np.zeros((n, n_features + 1))
    for i, cols in enumerate(rows):
        x[i, cols] = 1.0
    x[:, n_features] = 1.0
    beta = np.zeros(n_features + 1)
    penalty = np.full(n_features + 1, l2)
    penalty[n_features] = 1e-6
    for _ in range(iterations):
        p = _sigmoid(x @ beta)
        grad = x.T @ (weights * (p - y)) + penalty * beta
        h_diag = weights * p * (1 - p)
        hessian = (x.T * h_diag) @ x + np.diag(penalty)
        step = np.linalg.solve(hessian, grad)
        beta -= step
        if float(np.max(np.abs(step))) < 1e-6:
            break
    return beta[:n_features], float(beta[n_features])


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Fit p = sigmoid(a*s + b) to out-of-fold scores (two-parameter Newton with a tiny ridge)."""
    a, b = 1.0, 0.0
    for _ in range(50):
        p = _sigmoid(a * scores + b)
        r = p - y
        w = p * (1 - p) + 1e-9
        g = np.array([float(np.sum(r * scores)) + 1e-3 * a, float(np.sum(r))])
        h = np.array([[float(np.sum(w * scores * scores)) + 1e-3, float(np.sum(w * scores))],
                      [float(np.sum(w * scores)), float(np.sum(w)) + 1e-9]])
        try:
            step = np.linalg.solve(h, g)
        except np.linalg.LinAlgError:
            break
        a, b = a - float(step[0]), b - float(step[1])
        if max(abs(float(step[0])), abs(float(step[1]))) < 1e-7:
            break
    if not math.isfinite(a) or not math.isfinite(b) or a <= 0:
        return 1.0, 0.0
    return a, b


@dataclass
class LexicalModel:
    weights: dict[str, float]
    bias: float
    scale: float = 1.0
    shift: float = 0.0
    metrics: dict[str, float] = field(default_factory=dict)

    def raw(self, feats: Sequence[str]) -> float:
        return self.bias + sum(self.weights.get(f, 0.0) for f in feats)

    def probability(self, feats: Sequence[str]) -> float:
        return float(_sigmoid(self.scale * self.raw(feats) + self.shift))

    def top_features(self, feats: Sequence[str], n: int = 5) -> list[tuple[str, float]]:
        found = [(f, self.weights[f]) for f in feats if f in self.weights]
        return sorted(found, key=lambda item: -item[1])[:n]

    def to_json(self) -> dict[str, Any]:
        return {"version": 1, "weights": {k: round(v, 5) for k, v in self.weights.items()}, "bias": self.bias,
                "scale": self.scale, "shift": self.shift, "metrics": self.metrics}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LexicalModel:
        return cls(weights={str(k): float(v) for k, v in data.get("weights", {}).items()},
                   bias=float(data.get("bias", 0.0)), scale=float(data.get("scale", 1.0)),
                   shift=float(data.get("shift", 0.0)), metrics=dict(data.get("metrics", {})))


def train(examples: Sequence[tuple[list[str], bool, float]], *, l2: float = 1.0, folds: int = 4,
          min_count: int = 1) -> LexicalModel:
    """Fit on (features, is_complaint, sample weight) triples. Both classes must be present."""
    labels = np.array([1.0 if label else 0.0 for _, label, _ in examples])
    if len(examples) < 4 or labels.min() == labels.max():
        raise ValueError("training needs at least four examples of both classes")
    counts: dict[str, int] = {}
    for feats, _, _ in examples:
        for f in set(feats):
            counts[f] = counts.get(f, 0) + 1
    vocab = sorted(f for f, c in counts.items() if c >= min_count or f.startswith("c:"))
    index = {f: i for i, f in enumerate(vocab)}
    rows = [[index[f] for f in set(feats) if f in index] for feats, _, _ in examples]
    sample_w = np.array([w for _, _, w in examples], dtype=float)
    coef, bias = _fit(rows, labels, sample_w, len(vocab), l2)

    # Out-of-fold raw scores for calibration and an honest accuracy figure.
    order = np.arange(len(examples))
    oof = np.zeros(len(examples))
    k = max(2, min(folds, int(min(labels.sum(), len(labels) - labels.sum()))))
    for fold in range(k):
        test = order[order % k == fold]
        train_idx = order[order % k != fold]
        if labels[train_idx].min() == labels[train_idx].max():
            continue
        c_f, b_f = _fit([rows[i] for i in train_idx], labels[train_idx], sample_w[train_idx], len(vocab), l2)
        for i in test:
            oof[i] = b_f + float(sum(c_f[j] for j in rows[i]))
    scale, shift = _platt(oof, labels)
    calibrated = _sigmoid(scale * oof + shift)
    accuracy = float(np.mean((calibrated >= 0.5) == (labels == 1.0)))
    brier = float(np.mean((calibrated - labels) ** 2))
    weights = {f: float(coef[i]) for f, i in index.items() if abs(float(coef[i])) > 1e-4}
    return LexicalModel(weights=weights, bias=bias, scale=scale, shift=shift,
                        metrics={"cv_accuracy": round(accuracy, 4), "cv_brier": round(brier, 4),
                                 "examples": float(len(examples)), "features": float(len(weights))})


def combine(model_probability: float | None, rule_weights: Sequence[float]) -> float:
    """Noisy-OR of the model's probability and each matched rule's weight."""
    miss = 1.0 - (model_probability or 0.0)
    for w in rule_weights:
        miss *= 1.0 - max(0.0, min(1.0, w))
    return 1.0 - miss


# --- the built-in seed set (written for CXOps; labels: True = complaint) -----------------------------

SEED_COMPLAINTS: tuple[str, ...] = (
    "벌써 세 번째 문의인데 아직도 답변이 없네요. 정말 화가 납니다.",
    "환불 안 해주시면 소비자원에 신고하겠습니다.",
    "1372에 민원 넣을 거예요. 이런 식으로 장사하지 마세요.",
    "상담원이 너무 불친절하고 말을 끊어서 기분이 너무 나빴습니다.",
    "배송이 일주일이나 늦었는데 사과 한마디 없네요. 최악입니다.",
    "받은 상품이 파손되어 있었어요. 어떻게 책임지실 건가요?",
    "음식에서 이물질이 나왔습니다. 당장 보상해 주세요.",
    "몇 번을 전화해도 연결이 안 되고 정말 어이가 없네요.",
    "이건 사기 아닌가요? 광고랑 완전히 다른 상품이 왔어요.",
    "고소하겠습니다. 변호사와 상담 중입니다.",
    "두 번 다시 이 쇼핑몰 이용 안 합니다. 탈퇴할게요.",
    "곰팡이 핀 빵을 보내놓고 교환도 안 해준다니 황당합니다.",
    "약속한 날짜에 또 안 왔어요. 도대체 언제 오는 건가요? 짜증나요.",
    "고객을 무시하는 태도에 정말 실망했습니다.",
    "주문 취소했는데 돈은 계속 빠져나가요. 국민신문고에 올리겠습니다.",
    "상한 과일이 와서 아이가 먹고 탈이 났어요. 책임지세요.",
    "답변이 매번 복사 붙여넣기네요. 성의 없는 응대에 화가 납니다.",
    "제품 불량인데 반품비를 제가 내라니 말이 됩니까?",
    "언론에 제보하겠습니다. 이런 업체는 처음 봐요.",
    "환불해 주겠다고 해놓고 2주째 감감무소식입니다. 거짓말만 하시네요.",
    "반말로 응대하는 상담원 처음 봅니다. 사과하세요.",
    "공정거래위원회에 신고하겠습니다. 허위 광고입니다.",
    "세 번이나 교환했는데 또 불량이에요. 미치겠네요.",
    "택배 기사가 물건을 던져서 깨져서 왔어요. 너무 불쾌합니다.",
    "기다리라고만 하고 연락이 없어요. 장난하시나요?",
    "포인트 소멸 안내도 없이 다 사라졌어요. 배상하세요.",
    "여러 번 요청했는데도 처리가 안 되네요. 윗사람 바꿔 주세요.",
    "결제가 두 번 됐는데 아무도 책임지지 않네요. 열받아요.",
    "냉동 상품이 다 녹아서 왔어요. 이게 말이 됩니까? 보상 요구합니다.",
    "벌레가 나왔어요. 위생 관리를 어떻게 하시는 건가요?",
    "불매 운동이라도 해야겠네요. 정말 최악의 서비스입니다.",
    "법적 조치 하겠습니다. 더 이상 참을 수 없어요.",
    "한국소비자원에 피해구제 신청했습니다.",
    "기가 막히네요. 주문한 것과 전혀 다른 게 왔습니다.",
    "아직도 환불이 안 됐습니다. 계속 미루시면 신고할게요.",
    "광고 문자 그만 보내라고 몇 번을 말했는데 또 왔어요. 짜증납니다.",
)
SEED_INQUIRIES: tuple[str, ...] = (
    "주문한 상품 언제 도착하나요?",
    "배송지 주소를 변경하고 싶어요.",
    "사이즈 교환 신청은 어떻게 하나요?",
    "쿠폰은 어디서 확인할 수 있나요?",
    "친절하게 안내해 주셔서 감사합니다.",
    "회원가입할 때 인증 문자가 안 와요. 다시 보내 주실 수 있나요?",
    "선물 포장도 가능한가요?",
    "재입고 예정일이 언제인지 알 수 있을까요?",
    "영수증 발행 부탁드립니다.",
    "결제 수단을 카드에서 계좌이체로 바꿀 수 있나요?",
    "상품 상세페이지에 있는 원산지 정보가 궁금합니다.",
    "추석 연휴에도 배송되나요?",
    "적립금 사용 방법 알려 주세요.",
    "주문 내역은 어디서 볼 수 있나요?",
    "빠른 답변 감사합니다. 잘 받았어요.",
    "대량 구매 할인이 있는지 문의드립니다.",
    "비밀번호를 잊어버렸는데 어떻게 찾나요?",
    "택배사가 어디인지 알려 주세요.",
    "유통기한이 얼마나 남은 상품이 오나요?",
    "단순 변심으로 반품하려면 절차가 어떻게 되나요?",
    "아이 알레르기가 있어서 성분표를 보고 싶어요.",
    "새벽 배송 가능 지역인지 확인 부탁드려요.",
    "세금계산서 발행이 가능한가요?",
    "배송 메모에 경비실에 맡겨 달라고 적었어요. 확인 부탁드립니다.",
    "지난번 상담 덕분에 잘 해결됐어요. 고맙습니다.",
    "주문 취소하고 다른 상품으로 다시 주문하고 싶어요.",
    "매장 영업시간이 어떻게 되나요?",
    "정기 배송 주기를 2주로 바꿀 수 있나요?",
    "해외 배송도 되나요?",
    "상품 보관 방법이 궁금합니다. 냉장 보관인가요?",
    "결제했는데 주문 확인 문자가 언제 오나요?",
    "이벤트 당첨 경품은 언제 발송되나요?",
    "포장 박스 재활용 가능한가요?",
    "신상품 출시 알림을 받고 싶어요.",
    "환불 규정이 어떻게 되는지 미리 알고 싶어요.",
    "배송 조회가 안 되는데 확인 부탁드려요.",
)


def seed_examples() -> list[tuple[str, bool]]:
    return [(t, True) for t in SEED_COMPLAINTS] + [(t, False) for t in SEED_INQUIRIES]
