"""Benchmark: schedule questions answered in process over 50 campaigns × 200 tasks.

Run: python -m bench.bench_questions [--iterations N] [--seed S]
Prints p50/p95/p99 of `handlers.schedule.try_handle` in milliseconds and PASS/FAIL against
p95 < 2 ms; exits 1 on FAIL.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from datetime import date, timedelta

from domain.plan import DateSpan, Phase, Plan, Task
from handlers.ports import Services
from handlers.schedule import try_handle
from handlers.types import Incoming
from tests.fakes.memory import make_services

CAMPAIGNS = 50
TASKS = 200
USERS = 500
TODAY = date(2018, 6, 4)
P95_BUDGET_MS = 2.0

UNITS = (
    "局党组",
    "局活动办",
    "局领导班子",
    "办公室",
    "政策法规科",
    "高新技术科",
    "农村科技科",
    "知识产权科",
    "科技合作科",
    "人才工作科",
    "机关党支部",
    "宣统口",
)
GROUPS = ("集中学习", "集中调研", "集中讨论", "实践转化", "成果总结")
TOPICS = (
    "创新主体",
    "转型升级",
    "创新服务",
    "人才引进",
    "产学研对接",
    "智慧经济",
    "园区建设",
    "知识产权",
    "科技金融",
    "平台建设",
)
QUESTIONS = (
    "本周有什么到期",
    "这个星期要交什么？",
    "下周有什么任务",
    "今天有什么要完成的",
    "明天有什么任务",
    "本月有哪些任务",
    "六月份有什么要交的",
    "下个月有什么任务",
    "现在是什么阶段",
    "下一阶段什么时候开始",
    "局党组负责什么",
    "活动办有哪些任务",
    "我的任务",
    "离产学研对接第17项截止还有几天",
    "还有几天",
    "智慧经济第42项什么时候截止",
    "有哪些任务逾期了",
    "时间表",
    "局活动办本周有什么任务",
    "离学习调研阶段结束还有几天",
    "我是局党组的",
    "献一策：加强企业培育",
    "帮助",
)


def build_plan(number: int, rng: random.Random) -> Plan:
    """One campaign of TASKS tasks over the year, four phases, a dozen owner units."""
    year = 2018
    starts = (date(year, 5, 1), date(year, 5, 21), date(year, 8, 1), date(year, 12, 11))
    ends = (date(year, 5, 20), date(year, 7, 31), date(year, 12, 10), date(year, 12, 31))
    names = ("宣传发动阶段", "学习调研阶段", "实践转化阶段", "持续深化阶段")
    phases = tuple(
        Phase(name, DateSpan(s, e, f"{s.month}月{s.day}日至{e.month}月{e.day}日"), "部署推进")
        for name, s, e in zip(names, starts, ends, strict=True)
    )
    tasks = []
    for i in range(1, TASKS + 1):
        due_day = date(year, 5, 1) + timedelta(days=rng.randrange(240))
        wording = f"{due_day.month}月{due_day.day}日前"
        tasks.append(
            Task(
                title=f"开展{TOPICS[i % len(TOPICS)]}第{i}项专题活动",
                group=GROUPS[i % len(GROUPS)],
                owner=UNITS[rng.randrange(len(UNITS))],
                due=None if i % 25 == 0 else DateSpan(due_day, due_day, wording),
            )
        )
    return Plan(
        f"c{number:02d}-2018",
        f"第{number:02d}单位解放思想大讨论",
        year,
        phases=phases,
        tasks=tuple(tasks),
    )


def build_services(rng: random.Random) -> Services:
    """50 campaigns in memory; most users have chosen one, a few have not."""
    services = make_services([build_plan(n, rng) for n in range(1, CAMPAIGNS + 1)], TODAY)
    codes = [c.code for c in services.campaigns.active()]
    for u in range(USERS):
        if u % 10:  # one user in ten never chose: they get the list of campaigns
            code = codes[u % len(codes)]
            services.users.set_campaign(f"user{u}", code)
            if u % 3 == 0:
                services.users.set_unit(f"user{u}", code, UNITS[u % len(UNITS)])
    return services


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    rank = max(0, min(len(sorted_values) - 1, round(share * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


def run(iterations: int, seed: int) -> tuple[list[float], int]:
    """Time `iterations` questions (after a warm-up); returns the times in ms and how many
    messages were answered."""
    rng = random.Random(seed)
    services = build_services(rng)
    messages = [
        Incoming("wechat", f"user{rng.randrange(USERS)}", "text", text=rng.choice(QUESTIONS))
        for _ in range(iterations + 200)
    ]
    for msg in messages[:200]:
        try_handle(msg, services)
    timings: list[float] = []
    answered = 0
    gc.collect()
    for msg in messages[200:]:
        start = time.perf_counter_ns()
        reply = try_handle(msg, services)
        timings.append((time.perf_counter_ns() - start) / 1e6)
        answered += reply is not None
    return timings, answered


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures; 0 on PASS, 1 on FAIL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2018)
    args = parser.parse_args(argv)
    timings, answered = run(args.iterations, args.seed)
    ordered = sorted(timings)
    p50, p95, p99 = (percentile(ordered, s) for s in (0.50, 0.95, 0.99))
    verdict = "PASS" if p95 < P95_BUDGET_MS else "FAIL"
    print(
        f"schedule questions: {CAMPAIGNS} campaigns x {TASKS} tasks, {len(timings)} questions "
        f"({answered} answered, {len(timings) - answered} left to other handlers)"
    )
    print(
        f"p50 {p50:.3f} ms  p95 {p95:.3f} ms  p99 {p99:.3f} ms  "
        f"mean {statistics.fmean(timings):.3f} ms  max {ordered[-1]:.3f} ms"
    )
    print(f"{verdict}: p95 {p95:.3f} ms {'<' if verdict == 'PASS' else '>='} {P95_BUDGET_MS} ms")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
