"""``xiangcun locate`` command line: ``orlib FILE...`` and ``solve INSTANCE.json``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import LocateError


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="xiangcun locate", description="设施选址与布局优化引擎")
    sub = ap.add_subparsers(dest="command", required=True)
    o = sub.add_parser("orlib", help="求解 OR-Library p-中位实例（每个实例输出一行 JSON）")
    o.add_argument("files", nargs="+", metavar="FILE")
    o.add_argument("--time-limit", type=float, default=None, metavar="S", help="每个实例的时间限制（秒）")
    s = sub.add_parser("solve", help="求解 JSON 实例文件，输出 JSON 结果")
    s.add_argument("instance", metavar="INSTANCE.json")
    s.add_argument("--time-limit", type=float, default=None, metavar="S")
    s.add_argument("--output", default=None, metavar="FILE", help="结果写入文件（默认标准输出）")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "orlib":
            return _orlib(args)
        return _solve(args)
    except LocateError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2


def _orlib(args) -> int:
    from .orlib import read_pmed
    from .pmedian import solve_pmedian

    if args.time_limit is not None and not args.time_limit > 0:
        print("错误：--time-limit 必须为正数", file=sys.stderr)
        return 2
    for f in args.files:
        inst = read_pmed(f)
        r = solve_pmedian(inst.costs, inst.p, method="exact", time_limit=args.time_limit)
        row = {
            "instance": inst.name,
            "n": inst.n,
            "p": inst.p,
            "objective": _int(r.objective),
            "lower_bound": _int(r.lower_bound),
            "gap": r.gap,
            "seconds": round(r.seconds, 3),
            "medians": [int(j) + 1 for j in r.sites],  # 1-based vertex numbers as in the file
        }
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return 0


def _int(v: float):
    return int(round(v)) if abs(v - round(v)) < 1e-6 else v


def _solve(args) -> int:
    from .instance import load_instance, solve_instance

    if args.time_limit is not None and not args.time_limit > 0:
        print("错误：--time-limit 必须为正数", file=sys.stderr)
        return 2
    data = load_instance(args.instance)
    out = solve_instance(data, time_limit=args.time_limit)
    text = json.dumps(out, ensure_ascii=False, indent=2)
    if args.output:
        try:
            Path(args.output).write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            print(f"错误：无法写入 {args.output}：{exc.strerror or exc}", file=sys.stderr)
            return 2
    else:
        print(text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
