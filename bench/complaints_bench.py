"""Time complaint detection: the scorer alone, and ticket creation with and without the detection hook.

    CXOPS_DATA_DIR=/tmp/cxops-complaints-bench .venv/bin/python bench/complaints_bench.py [--tickets 400]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cxops_complaints_bench .venv/bin/python bench/complaints_bench.py

1. `detection.evaluate` on analysed texts (what the lifecycle hook runs inside the ticket transaction):
   the workspace rules (built-in threat phrases + a few phrase rules) and the lexical model.
2. `inbound_ingest` of board inquiries (a third of them complaints), the same texts with the hook
   registered and with it removed, alternating batches; ms per ticket. Escalation and notification
   run after the commit in a job and are not part of this figure.
3. Retraining a workspace model on the seed set plus 200 feedback examples.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxops.config.settings")
os.environ.setdefault("CXOPS_JOBS_IMMEDIATE", "0")

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from cxops.complaints import detection, scoring, services  # noqa: E402
from cxops.complaints.models import ComplaintFlag, ComplaintFlagEvent, FlagAction, FlagSource  # noqa: E402
from cxops.core.models import Workspace  # noqa: E402
from cxops.core.services import workspace_create  # noqa: E402
from cxops.core.text import lexemes_many  # noqa: E402
from cxops.tickets import extensions  # noqa: E402
from cxops.tickets.channels.base import CustomerRef, InboundMessage  # noqa: E402
from cxops.tickets.services import inbound_ingest  # noqa: E402

OPENERS = ["주문한 상품이", "지난주에 산 제품이", "선물로 보낸 세트가", "정기 배송 상품이", "환불 신청한 건이"]
PLAIN = ["언제 도착하나요?", "배송지 변경 가능할까요?", "교환 절차가 궁금합니다.", "영수증 발행 부탁드립니다.",
         "재입고 일정 알려 주세요."]
ANGRY = ["아직도 안 왔어요. 정말 화가 납니다.", "불량이네요. 몇 번째인지 모르겠어요.",
         "계속 이러면 소비자원에 신고하겠습니다.", "상담원이 너무 불친절했어요. 사과하세요.",
         "1372에 민원 넣을게요. 어이가 없네요."]


def texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.choice(OPENERS)} {rng.choice(ANGRY if i % 3 == 0 else PLAIN)} 주문번호 2026{rng.randrange(10**8):08d}"
            for i in range(n)]


def bench_scorer(workspace: Workspace, n: int) -> None:
    sample = texts(n, 1)
    tokens = lexemes_many(sample)
    ruleset = detection.ruleset_for(workspace.pk)
    detection.builtin_model()
    t0 = time.perf_counter()
    flagged = sum(detection.evaluate(workspace_id=workspace.pk, text=t, tokens=k, ruleset=ruleset)
                  .is_complaint(ruleset.threshold) for t, k in zip(sample, tokens, strict=True))
    dt = time.perf_counter() - t0
    print(f"scorer: {n:,} texts in {dt * 1000:.0f} ms ({dt / n * 1e6:.0f} µs/text), {flagged} flagged "
          f"(a third are written as complaints)")


def ingest(workspace: Workspace, sample: list[str], tag: str) -> float:
    t0 = time.perf_counter()
    for i, text in enumerate(sample):
        inbound_ingest(workspace=workspace, message=InboundMessage(
            channel="board", subject=text[:30], body_text=text,
            customer=CustomerRef(name="고객", phone=f"010-{5000 + i % 4000:04d}-{i % 10000:04d}"),
            external_id=f"{tag}-{i}"))
    return (time.perf_counter() - t0) / len(sample) * 1000


def bench_ingest(workspace: Workspace, n: int, rounds: int) -> None:
    hooks = list(extensions._lifecycle_hooks)
    ours = [h for h in hooks if h[1].endswith("detect_on_ticket")]
    assert ours, "the complaint hook is not registered"
    ingest(workspace, texts(30, 99), "warm")  # load Kiwi, the model and the caches
    with_hook: list[float] = []
    without: list[float] = []
    for r in range(rounds):
        sample = texts(n // rounds, 10 + r)
        # Alternate which mode goes first: the database grows and the shared CPU drifts during a run.
        for hook_on in ((True, False) if r % 2 == 0 else (False, True)):
            if hook_on:
                with_hook.append(ingest(workspace, sample, f"on{r}"))
                continue
            extensions._lifecycle_hooks[:] = [h for h in hooks if h not in ours]
            try:
                without.append(ingest(workspace, sample, f"off{r}"))
            finally:
                extensions._lifecycle_hooks[:] = hooks
    flagged = ComplaintFlag.objects.filter(workspace=workspace).count()
    print(f"ticket creation ({n:,} per mode, {rounds} alternating rounds): with detection "
          f"median {statistics.median(with_hook):.2f} ms/ticket, without {statistics.median(without):.2f} ms/ticket "
          f"(difference {statistics.median(with_hook) - statistics.median(without):+.2f} ms); {flagged} flagged")


def bench_retrain(workspace: Workspace) -> None:
    sample = texts(200, 7)
    flags = ComplaintFlag.objects.filter(workspace=workspace)[:200]
    ComplaintFlagEvent.objects.bulk_create([
        ComplaintFlagEvent(workspace=workspace, flag=f, action=FlagAction.FLAGGED if i % 3 == 0 else FlagAction.UNFLAGGED,
                           source=FlagSource.AGENT, text=sample[i % len(sample)])
        for i, f in enumerate(flags)])
    t0 = time.perf_counter()
    row = services.model_retrain(workspace=workspace)
    dt = time.perf_counter() - t0
    print(f"retrain: {row.examples} examples ({row.feedback} feedback) in {dt:.2f} s, "
          f"cv accuracy {row.metrics['cv_accuracy']:.2f}, {int(row.metrics['features'])} features")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--texts", type=int, default=5000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    slug = f"cbench{int(time.time())}"
    workspace, _ = workspace_create(slug=slug, name="민원 벤치")
    services.rule_add(workspace=workspace, by=None, kind="phrase", value="책임자 바꿔", weight=0.9)
    services.rule_add(workspace=workspace, by=None, kind="phrase", value="사과하세요", weight=0.6)
    print(f"database: {django.db.connection.vendor}; built-in threat phrases: {len(scoring.THREAT_PHRASES)}")
    bench_scorer(workspace, args.texts)
    bench_ingest(workspace, args.tickets, args.rounds)
    bench_retrain(workspace)


if __name__ == "__main__":
    main()
