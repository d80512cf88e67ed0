"""A tiny template grammar for demo text, plus the noise real customers add when they type.

Templates combine pieces so thousands of tickets do not look copy-pasted:

- ``[a|b|c]`` picks one alternative; ``[a|]`` makes a piece optional. Alternatives nest
  (``[안녕하세요[~|.]|수고하십니다.]``). Brackets without a top-level ``|`` are literal text, also
  inside an alternative ("[[마이페이지] → [주문내역]에서|주문내역에서]").
- ``{slot}`` is replaced by a value fixed for the whole ticket (order number, product, agent …),
  so every message of one conversation talks about the same order. ``{slot:이}`` adds the particle
  that fits the value's last syllable (감귤이 / 바나나가; also 은, 을, 과, 로, 이에요, 이랑, 아, 이나).

Pure Python, no Django: everything is driven by the ``random.Random`` passed in, so the same seed
gives the same text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from random import Random

_SLOT = re.compile(r"\{([a-z_]+)(?::([가-힣]+))?\}")
_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r" +([.,!?~)])")


class TemplateError(KeyError):
    """A template names a slot the ticket does not have (a bug in the demo content)."""


def expand(template: str, rng: Random, slots: Mapping[str, str] | None = None) -> str:
    """Pick alternatives (outermost first, left to right), then fill slots."""
    text = choose(template, rng)
    values = slots or {}

    def fill(match: re.Match[str]) -> str:
        key, particle = match.group(1), match.group(2)
        if key not in values:
            raise TemplateError(f"unknown slot {{{key}}} in template: {template[:80]}")
        return values[key] + josa(values[key], particle) if particle else values[key]

    return tidy(_SLOT.sub(fill, text))


def _closing_bracket(text: str, start: int) -> int | None:
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "[":
            depth += 1
        elif text[index] == "]":
            depth -= 1
            if depth == 0:
                return index
    return None


def _top_level_options(text: str) -> list[str]:
    options, depth, begin = [], 0, 0
    for index, char in enumerate(text):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "|" and depth == 0:
            options.append(text[begin:index])
            begin = index + 1
    options.append(text[begin:])
    return options


def choose(text: str, rng: Random) -> str:
    """Resolve ``[a|b]`` groups; a group without a top-level ``|`` is literal ("[마이페이지]")."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        end = _closing_bracket(text, index) if char == "[" else None
        if end is None:
            out.append(char)
            index += 1
            continue
        options = _top_level_options(text[index + 1: end])
        if len(options) == 1:
            out.append("[" + choose(options[0], rng) + "]")
        else:
            out.append(choose(rng.choice(options), rng))
        index = end + 1
    return "".join(out)


# Particle pairs: (after a final consonant, after a vowel).
PARTICLES: dict[str, tuple[str, str]] = {
    "이": ("이", "가"), "은": ("은", "는"), "을": ("을", "를"), "과": ("과", "와"), "로": ("으로", "로"),
    "이에요": ("이에요", "예요"), "이랑": ("이랑", "랑"), "아": ("아", "야"), "이나": ("이나", "나"),
}
# Final consonant of digits as read in Sino-Korean (영 일 이 삼 사 오 육 칠 팔 구); "l" marks ㄹ.
_DIGIT_FINAL = {"0": "y", "1": "l", "2": "", "3": "y", "4": "", "5": "", "6": "y", "7": "l", "8": "l", "9": ""}


def _final(word: str) -> str:
    """'' (vowel), 'y' (a final consonant) or 'l' (final ㄹ) for the word's last readable character."""
    for char in reversed(word):
        if "가" <= char <= "힣":
            coda = (ord(char) - 0xAC00) % 28
            return "" if coda == 0 else ("l" if coda == 8 else "y")
        if char.isdigit():
            return _DIGIT_FINAL[char]
        if char.isalpha():
            return "y" if char.lower() in "lmnrg" else ""
    return ""


def josa(word: str, particle: str) -> str:
    """The particle form that follows ``word``: josa("감귤", "이") == "이", josa("바나나", "이") == "가"."""
    if particle not in PARTICLES:
        raise TemplateError(f"unknown particle {particle}")
    with_final, without = PARTICLES[particle]
    final = _final(word)
    if particle == "로":
        return without if final in ("", "l") else with_final
    return with_final if final else without


def pick(options: Sequence[str], rng: Random, slots: Mapping[str, str] | None = None) -> str:
    return expand(rng.choice(options), rng, slots)


def slot_names(template: str) -> set[str]:
    return {name for name, _particle in _SLOT.findall(template)}


def tidy(text: str) -> str:
    lines = [_SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", line)).strip() for line in text.split("\n")]
    out = "\n".join(lines)
    out = re.sub(r"([?!])\.(?!\.)", r"\1", out)  # "있나요?." from a choice followed by a period
    out = re.sub(r"\n{3,}", "\n\n", out)
    return out.strip()


# --- how people actually type ---------------------------------------------------------------------

# (correct, as often typed). Applied word-internally, so "결제했는데" becomes "결재햇는데".
TYPOS: tuple[tuple[str, str], ...] = (
    ("됐", "됬"), ("돼요", "되요"), ("안 돼", "안되"), ("어떻게", "어떻케"), ("했는데", "햇는데"),
    ("왔는데", "왓는데"), ("결제", "결재"), ("며칠", "몇일"), ("할게요", "할께요"), ("일부러", "일부로"),
    ("어이없", "어의없"), ("금세", "금새"), ("괜찮", "괜찬"), ("웬만하면", "왠만하면"), ("있었는데", "있엇는데"),
    ("오랜만", "오랫만"), ("주세요", "주세여"), ("감사합니다", "감사함니다"), ("그런데", "근데"),
    ("뭐예요", "뭐에요"), ("안 와요", "안와요"), ("거예요", "거에요"),
    ("어떡해", "어떻해"), ("되나요", "돼나요"), ("바랍니다", "바람니다"), ("맞춰", "맞쳐"), ("않아요", "안아요"),
)
_HANGUL_GAP = re.compile(r"(?<=[가-힣]) (?=[가-힣])")
_SENTENCE_END = re.compile(r"([가-힣])([.?!])(?=\s|$)")


def roughen(text: str, rng: Random, style: str) -> str:
    """Add the spacing mistakes, typos and emoticons of a customer's writing style.

    Styles: ``neat`` (unchanged), ``casual`` (a few typos, some missing spaces), ``messy``
    (many), ``elderly`` (few spaces, trailing dots). Digits, emails and order numbers are kept.
    """
    if style == "neat":
        return text
    typo_rate, gap_rate = {"casual": (0.3, 0.12), "messy": (0.6, 0.35), "elderly": (0.2, 0.55)}.get(style, (0, 0))
    for right, wrong in TYPOS:
        if right in text and rng.random() < typo_rate:
            text = text.replace(right, wrong)
    text = _HANGUL_GAP.sub(lambda _m: "" if rng.random() < gap_rate else " ", text)
    if style == "messy":
        text = _SENTENCE_END.sub(lambda m: m.group(1) + rng.choice(
            [m.group(2), m.group(2) * 2, "ㅠㅠ", "ㅡㅡ", "..", m.group(2)]), text)
    elif style == "elderly":
        text = _SENTENCE_END.sub(lambda m: m.group(1) + rng.choice(["..", "...", m.group(2), "~~"]), text)
    return text
