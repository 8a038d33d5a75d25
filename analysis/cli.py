"""The ``minsheng`` command: a thin wrapper over the package's functions."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from analysis import config
from analysis.errors import MinshengError, ValidationFailed
from analysis.version import __version__


def _years(text: str) -> list[int]:
    """'2014-2019' → [2014, …, 2019]; '2019' → [2019]."""
    first, _, last = text.partition("-")
    try:
        years = list(range(int(first), int(last or first) + 1))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"年份范围应写作 2014-2019 / years look like 2014-2019, not {text!r}"
        ) from None
    if not years:
        raise argparse.ArgumentTypeError(f"空的年份范围 / empty year range {text!r}")
    return years


def _build_args(args: argparse.Namespace, **overrides) -> dict:
    """``runner.build``'s arguments from the command line's."""
    return {
        "data_dir": args.data,
        "out_dir": args.out,
        "year": args.year,
        "villages": args.village or None,
        "workers": args.workers,
        "force": args.force,
        "processed_dir": args.processed,
        "lang": args.lang,
        "executor": args.executor,
        "scheduler": args.scheduler,
        "progress": not args.quiet,
        "accept_errors": args.accept_errors,
        "strict": args.strict,
        **overrides,
    }


def cmd_build(args: argparse.Namespace) -> int:
    from analysis.runs.runner import build

    if args.watch:
        return _watch(args)
    result = build(**_build_args(args))
    built, cached = result.built, len(result.results) - result.built
    print(f"报告目录 Reports: {result.index}")
    print(f"生成 {built} 页，沿用缓存 {cached} 页 / built {built}, reused {cached} from cache")
    for failure in result.failed:
        print(
            f"失败 FAILED {failure.key} ({failure.title}): {failure.where}: {failure.error}",
            file=sys.stderr,
        )
    _tell_missing_glyphs(args.data)
    return 0 if result.ok else 1


def _tell_missing_glyphs(data_dir: Path) -> None:
    """Say once, for the whole build, which characters of the registry's names no installed
    font draws (the pictures spell them by their components): a notice, not a failure."""
    from analysis.config import REGISTRY_FILE
    from analysis.core.style import glyph_notice
    from analysis.ingest.registry import load_registry

    path = Path(data_dir) / REGISTRY_FILE
    if not path.exists():
        return
    table = load_registry(path).table
    notice = glyph_notice(table["short_name"])
    if notice:
        print(notice, file=sys.stderr)


def _watch(args: argparse.Namespace) -> int:
    """Build, then build again after every change to the raw folder, on workers kept warm
    for the whole watch, until Ctrl-C."""
    import contextlib

    from analysis.runs.executors import local_workers
    from analysis.runs.jobs import BuildResult
    from analysis.runs.runner import build, prepare_tables
    from analysis.runs.watch import Rebuild, watch, watched_folder

    def report(rebuild: Rebuild) -> None:
        if rebuild.error is not None:
            print(f"未生成 NOT BUILT: {rebuild.error}", file=sys.stderr, flush=True)
        else:
            result = rebuild.result
            failed = "".join(f"\n  失败 FAILED {r.key}: {r.error}" for r in result.failed)
            print(
                f"{rebuild.seconds:.1f} 秒：生成 {result.built} 页 / {rebuild.seconds:.1f} s: "
                f"built {result.built} pages: {result.index}{failed}",
                flush=True,
            )
        print(f"正在监视 {args.data} 的改动（Ctrl-C 停止）/ watching for changes…", flush=True)

    raw = watched_folder(args.data)
    with contextlib.ExitStack() as stack:
        scheduler = args.scheduler or stack.enter_context(
            local_workers(args.workers, port=0, executor=args.executor)
        )
        forced = [args.force]  # only until a build succeeds: then, what changed

        def once() -> BuildResult:
            result = build(
                **_build_args(args, scheduler=scheduler, progress=False, force=forced[0])
            )
            forced[0] = False
            return result

        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a watch ends
            watch(once, raw, report, read_ahead=lambda: prepare_tables(raw, args.processed))
    print("已停止监视 / watch stopped.", flush=True)
    return 0


def cmd_workers(args: argparse.Namespace) -> int:
    import contextlib
    import threading

    from analysis.runs.executors import local_workers

    print("正在启动工作进程 / starting the workers…", flush=True)
    with local_workers(args.workers, args.port) as address:
        print(
            f"工作进程已就绪 Workers ready: {address}\n"
            f"在另一个终端运行 / in another terminal: minsheng build --scheduler {address}\n"
            "更新或修改 minsheng 后请重启本命令 / restart this command after minsheng is "
            "updated or edited. Ctrl-C 停止 / stops.",
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how the command ends
            threading.Event().wait()
    print("工作进程已停止 / workers stopped.", flush=True)
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from analysis.tools import sample

    if args.county:
        villages, published = sample.county_villages(), None
    elif args.villages is None:
        villages = sample.DAQIAO_VILLAGES
        published = config.RAW_DIR / config.PUBLISHED_FILE
    else:
        villages = sample.synthetic_villages(args.villages)
        published = None
    out = sample.write_sample(
        args.out_dir,
        villages,
        args.years,
        seed=args.seed,
        published=published if published and published.exists() else None,
        progress=None if args.quiet else lambda msg: print(f"  写入 wrote {msg}"),
        boundary_changes=args.county,
    )
    print(
        f"示例数据已写入 sample written to {out} ({len(villages)} 个村, {args.years[0]}–{args.years[-1]})"
    )
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """``minsheng validate RAW [--registry PATH] [--json] [--mark OUTDIR]``: exit 1 when anything
    was rejected; with ``--mark``, each file with problems is also written back marked."""
    import json

    from analysis.ingest.validate import format_problems, validate

    result = validate(args.raw, registry=args.registry)
    marked = None
    if args.mark is not None:
        from analysis.ingest.mark import mark

        marked = mark(args.raw, args.mark, result=result)
    if args.json:
        report = {"problems": result.problems.to_dict(orient="records"), "summary": result.summary}
        if marked is not None:
            report["marked"] = {name: str(path) for name, path in marked.copies.items()}
            report["overview"] = str(marked.overview) if marked.overview else None
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(format_problems(result.problems, result.summary))
        if marked is not None:
            print(_marked_text(marked))
    return 0 if result.ok else 1


def _marked_text(marked) -> str:
    """What ``--mark`` wrote, for the terminal."""
    if not marked.written:
        return f"没有问题，未写出标注文件 / no problems: nothing written to {marked.out_dir}"
    lines = [f"标注文件 marked copies ({len(marked.copies)}) → {marked.out_dir}"]
    lines += [f"  {name} → {path}" for name, path in marked.copies.items()]
    lines += [
        f"  {name}：无法生成标注副本，见总清单 / no copy can be made, see the overview"
        for name in marked.unmarked
    ]
    lines.append(f"总清单 overview: {marked.overview}")
    return "\n".join(lines)


def cmd_prepare(args: argparse.Namespace) -> int:
    """``minsheng prepare RAW OUT [--registry PATH] [--force]``: exit 1 when anything was
    rejected."""
    from analysis.pipeline.prepare import prepare

    result = prepare(args.raw, args.out, registry=args.registry, force=args.force)
    totals = result.summary["totals"]
    counts = result.summary["problems"]
    print(
        f"读入 {totals['rows_read']} 行：接受 {totals['rows_accepted']}，隔离 {totals['rows_quarantined']}，"
        f"结构行 {totals['rows_structural']}；错误 {counts['error']} 条，提示 {counts['warning']} 条，"
        f"待核实 {counts['review']} 条"
    )
    print(
        f"rows read {totals['rows_read']}: accepted {totals['rows_accepted']}, quarantined "
        f"{totals['rows_quarantined']}, structural {totals['rows_structural']}; "
        f"{counts['error']} errors, {counts['warning']} warnings, {counts['review']} to confirm"
    )
    print(f"输出 written to {Path(args.out)}")
    if counts["error"] or counts["warning"] or counts["review"]:
        print(f"问题清单 problems: {result.paths['quarantine']}")
    return 0 if result.ok else 1


def cmd_template(args: argparse.Namespace) -> int:
    """``minsheng template OUT.xlsx [--registry PATH] [--year Y]``."""
    from analysis.ingest.crosswalk import STEM as CROSSWALK_STEM
    from analysis.ingest.explanations import TEMPLATE_NAME as EXPLANATIONS_FILE
    from analysis.tools.template import write_crosswalk, write_explanations, write_template

    out = write_template(args.out, registry=args.registry, year=args.year)
    print(f"填报模板已写入 template written to {out}")
    forms = (
        (EXPLANATIONS_FILE, write_explanations, "核实说明表", "explanations form"),
        (f"{CROSSWALK_STEM}.csv", write_crosswalk, "区划调整表", "boundary changes form"),
    )
    for name, write, zh, en in forms:
        form = Path(out).with_name(name)
        if form.exists():  # a form being filled in is never overwritten
            print(f"{zh}已存在，未改动 / {en} kept as it is: {form}")
        else:
            write(form)
            print(f"{zh}已写入 {en} written to {form}")
    return 0


def _add_registry(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--registry", type=Path, default=None, help=help_text)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="minsheng",
        description="民生 Minsheng: township livelihood data → checked tables, maps, projections, reports",
    )
    parser.add_argument("--version", action="version", version=f"minsheng {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="生成全部报告 / build every report")
    p.add_argument(
        "--data", type=Path, default=config.RAW_DIR, help="raw data folder (default: data/raw)"
    )
    p.add_argument(
        "--out", type=Path, default=config.REPORTS_DIR, help="reports folder (default: reports)"
    )
    p.add_argument(
        "--processed", type=Path, default=None, help="processed tables (default: data/processed)"
    )
    p.add_argument(
        "--year", type=int, default=config.DEFAULT_YEAR, help="report year (default: 2019)"
    )
    p.add_argument(
        "--village", action="append", metavar="CODE", help="only this village (repeatable)"
    )
    p.add_argument(
        "--workers", type=int, default=None, help="parallel runs (default: one per core)"
    )
    p.add_argument("--force", action="store_true", help="rebuild everything, ignoring the cache")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="report language")
    p.add_argument(
        "--scheduler", metavar="tcp://HOST:PORT", help="run on a Dask distributed cluster"
    )
    p.add_argument(
        "--executor",
        choices=("inprocess", "warm", "papermill"),
        default="inprocess",
        help="inprocess: cells run in each worker's own IPython shell (default, fastest); "
        "warm: one kept-alive kernel per worker; papermill: a fresh kernel per run",
    )
    p.add_argument(
        "--accept-errors",
        action="store_true",
        help="publish although validation found errors (every page then says so)",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="不发布待核实的数值：核实性审核的每个提示须先核实说明 / refuse values the "
        "plausibility review flagged until a 核实说明 confirms each",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--watch",
        action="store_true",
        help="原始数据每次改动后重新生成（工作进程常驻，Ctrl-C 停止）/ build again after every "
        "change to the raw data, on workers kept warm, until Ctrl-C",
    )
    p.set_defaults(func=cmd_build)

    p = sub.add_parser(
        "workers",
        help="保持工作进程常驻，供多次生成使用 / keep warm workers for repeated builds",
    )
    p.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: one per core)"
    )
    p.add_argument("--port", type=int, default=8786, help="scheduler port (default 8786; 0: any)")
    p.set_defaults(func=cmd_workers)

    p = sub.add_parser("sample", help="写出示例数据 / write the sample or a synthetic county")
    p.add_argument("out_dir", type=Path)
    p.add_argument(
        "--villages",
        type=int,
        default=None,
        help="synthetic county of N villages (default: the 9 of 大桥镇)",
    )
    p.add_argument(
        "--county",
        action="store_true",
        help="信丰县: its 17 towns and 312 villages with their real codes, synthetic figures",
    )
    p.add_argument("--years", type=_years, default=_years("2014-2019"), help="e.g. 2014-2019")
    p.add_argument("--seed", type=int, default=20191231)
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser(
        "validate", help="检查原始数据 / check raw data (exit 1 if anything is rejected)"
    )
    p.add_argument("raw", type=Path, help="raw folder, or one village-year .xlsx/.csv")
    _add_registry(p, "villages.csv (default: RAW/villages.csv, or the one beside a single file)")
    p.add_argument("--json", action="store_true", help="print problems and summary as JSON")
    p.add_argument(
        "--mark",
        type=Path,
        default=None,
        metavar="OUTDIR",
        help="write each file with problems to OUTDIR as .xlsx, problem cells marked and "
        "commented, with the list 问题清单 (nothing is written when there is no problem)",
    )
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("prepare", help="原始数据 → 处理后表格 / raw data → processed tables")
    p.add_argument("raw", type=Path, help="raw folder, or one village-year .xlsx/.csv")
    p.add_argument("out", type=Path, help="processed folder")
    _add_registry(p, "villages.csv (default: RAW/villages.csv, or the one beside a single file)")
    p.add_argument(
        "--force",
        action="store_true",
        help="read every raw file again (by default a file unchanged since the last prepare "
        "into OUT is not read again: what it gave is kept in OUT/.ingest-cache)",
    )
    p.set_defaults(func=cmd_prepare)

    p = sub.add_parser("template", help="村级填报模板 / blank data-collection workbook")
    p.add_argument("out", type=Path, help="the .xlsx to write")
    p.add_argument(
        "--registry", type=Path, required=True, help="villages.csv: the villages the form lists"
    )
    p.add_argument(
        "--year", type=int, default=None, help="pre-fill one row per village for this year"
    )
    p.set_defaults(func=cmd_template)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValidationFailed as exc:
        # The data, not the command, is at fault: exit 1, as `validate` does.
        print(f"minsheng: {exc}", file=sys.stderr)
        return 1
    except MinshengError as exc:
        # Errors users can fix (a wrong path, an unknown village code) read as a sentence;
        # anything else is a bug and keeps its traceback.
        print(f"minsheng: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "\n已中断；再次运行将从中断处继续 / interrupted; run again to resume.", file=sys.stderr
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
