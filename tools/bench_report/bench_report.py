#!/usr/bin/env python3
"""Turns kvstore_bench's Google Benchmark JSON (--benchmark_out) into bench.md and chart data.

  bench_report.py BENCH_JSON --markdown OUT.md --plot-data OUT.tsv --plot-vars OUT.gp
                  [--ratios RATIOS_JSON] [--image bench.png] [--load-end "0.52 0.41 0.30"]
                  [--threads-data THREADS.tsv] [--threads-image bench-threads.png]

Ops are paired as bench/ratio_reporter.cpp pairs them: the benchmark kvstore/set/memory/real_time
is implementation `kvstore`, op `set/memory` (arguments and threads:N kept, real_time and
iterations:N dropped); an op measured as kvstore and raw gets a row, and memlayer if measured.
A benchmark's time is its per-iteration real time: the median of its repetitions, else their
mean, else the mean of its runs. RATIOS_JSON, the file kvstore_bench writes to $KVSTORE_BENCH_JSON,
adds the targets and the comparisons, which only the benchmark code knows. The machine comes from
the JSON's context, with the keys tools/bench-report.sh adds (cpu_model, os, compiler, sqlite,
commit). The chart (ratio.gp) reads OUT.tsv and OUT.gp. The concurrent writers
(concurrent_set/MODE/threads:N of kvstore, raw and leveldb) also get a table of throughputs in
OUT.md and, with --threads-data, one line per thread count for threads.gp: threads, then ops/s of
kvstore, raw and leveldb under full, then under normal ('?' where not measured). Standard library
only.
"""
import argparse
import json
import re
import sys

IMPLEMENTATIONS = ("kvstore", "raw", "memlayer")
CONCURRENT = re.compile(r"^concurrent_set/(full|normal)/threads:(\d+)$")
WRITERS = ("kvstore", "raw", "leveldb")  # the columns of the concurrent writers, per mode
DROPPED = re.compile(r"^(real_time|manual_time|process_time|iterations:\d+|repeats:\d+"
                     r"|min_time:.*|min_warmup_time:.*)$")
TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
NOT_COUNTERS = {"name", "family_index", "per_family_instance_index", "run_name", "run_type",
                "repetitions", "repetition_index", "threads", "iterations", "real_time",
                "cpu_time", "time_unit", "aggregate_name", "aggregate_unit", "error_occurred",
                "error_message", "label"}


def split(run_name):
    """("kvstore", "set/memory/threads:2") from kvstore/set/memory/real_time/threads:2."""
    implementation, _, rest = run_name.partition("/")
    return implementation, "/".join(p for p in rest.split("/") if not DROPPED.match(p))


def measurements(benchmarks):
    """{run_name: {real, cpu (ns), counters, repetitions}} in first-run order; {run_name: error}."""
    runs, aggregates, errors = {}, {}, {}
    for b in benchmarks:
        name = b["run_name"]
        if b.get("error_occurred"):
            errors[name] = b.get("error_message", "error")
            continue
        scale = TO_NS[b.get("time_unit", "ns")]
        timing = {"real": b["real_time"] * scale, "cpu": b["cpu_time"] * scale,
                  "counters": {k: v for k, v in b.items()
                               if k not in NOT_COUNTERS and isinstance(v, (int, float))},
                  "repetitions": b.get("repetitions", 1)}
        runs.setdefault(name, [])
        if b.get("run_type") != "aggregate":
            runs[name].append(timing)
        elif b.get("aggregate_unit", "time") == "time":
            aggregates.setdefault(name, {})[b["aggregate_name"]] = timing
    best = {}
    for name, iterations in runs.items():
        by_kind = aggregates.get(name, {})
        if "median" in by_kind or "mean" in by_kind:
            best[name] = by_kind.get("median") or by_kind["mean"]
        elif iterations:
            n = len(iterations)
            best[name] = {"real": sum(t["real"] for t in iterations) / n,
                          "cpu": sum(t["cpu"] for t in iterations) / n,
                          "counters": iterations[-1]["counters"], "repetitions": n}
    return best, errors


def fmt_time(ns):
    for scale, unit in ((1e9, "s"), (1e6, "ms"), (1e3, "us"), (1, "ns")):
        if ns >= scale or scale == 1:
            value = ns / scale
            return f"{value:.{2 if value < 10 else 1 if value < 100 else 0}f} {unit}"


def fmt_target(target, met):
    return "" if target is None else f"<= {target:.2f} {'met' if met else '**MISSED**'}"


def table(headers, rows, right):
    """A markdown table; `right`: the indexes of the right-aligned columns."""
    rule = ["---:" if i in right else "---" for i in range(len(headers))]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in [headers, rule, *rows])


def machine_line(context, load_end):
    cpu = context.get("cpu_model")
    if not cpu:  # a JSON not made by bench-report.sh: this machine's, presumably the same
        try:
            with open("/proc/cpuinfo", encoding="utf-8") as f:
                cpu = next((line.split(":", 1)[1].strip() for line in f
                            if line.startswith("model name")), None)
        except OSError:
            pass
    cores = f"{context.get('num_cpus', '?')} cores"
    if context.get("mhz_per_cpu"):
        cores += f" at {context['mhz_per_cpu']} MHz"
    if context.get("cpu_scaling_enabled"):
        cores += " (CPU frequency scaling enabled)"
    load = " / ".join(f"{x:.2f}" for x in context.get("load_avg", [])) or "?"
    load = f"load average {load} at start"
    if load_end:
        load += f", {' / '.join(load_end.split()[:3])} at end"
    parts = [cpu or "unknown CPU", cores, context.get("os", "unknown OS"),
             context.get("compiler", "unknown compiler"), f"SQLite {context.get('sqlite', '?')}",
             context.get("date", "unknown date").replace("T", " "), load]
    if context.get("commit"):
        parts.append(f"kvstore {context['commit']}")
    return "**Machine:** " + "; ".join(parts)


def markdown(context, rows, others, errors, targets, comparisons, statistic, args, curve):
    out = ["# kvstore benchmarks", "", machine_line(context, args.load_end), "",
           "Made by `tools/bench-report.sh` from `bench.json`, Google Benchmark's JSON output of "
           "`build/bench/kvstore_bench`. Times are per-iteration real (wall-clock) time, "
           f"{statistic}. *raw* is the raw sqlite3 baseline: the same statement on the same kind "
           "of database, in the same process and run. *memlayer* is the in-memory layer "
           "(LastModifiedStore). Ratios are over raw: below 1.0 is faster than raw sqlite3. "
           "*cpu ratio* is kvstore / raw in CPU time; much lower than the real-time ratio means "
           "the wall clock caught other load, or waits for the disk or a lock.", "",
           f"![kvstore and in-memory layer time over raw sqlite3, per op]({args.image})", ""]

    memlayer = any("memlayer" in t for _, t in rows)
    with_target = any(op in targets for op, _ in rows)
    headers = ["op", "kvstore", "raw", *(["memlayer"] if memlayer else []), "kvstore / raw",
               *(["memlayer / raw"] if memlayer else []), "cpu ratio",
               *(["target"] if with_target else [])]
    cells = []
    for op, t in rows:
        kv, raw, mem = t["kvstore"], t["raw"], t.get("memlayer")
        ratio = kv["real"] / raw["real"]
        line = [f"`{op}`", fmt_time(kv["real"]), fmt_time(raw["real"])]
        if memlayer:
            line.append(fmt_time(mem["real"]) if mem else "-")
        line.append(f"{ratio:.2f}")
        if memlayer:
            line.append(f"{mem['real'] / raw['real']:.2f}" if mem else "-")
        line.append(f"{kv['cpu'] / raw['cpu']:.2f}")
        if with_target:
            target = targets.get(op)
            line.append(fmt_target(target, target is not None and ratio <= target))
        cells.append(line)
    right = set(range(1, len(headers) - (1 if with_target else 0)))
    out += ["## kvstore vs raw sqlite3", "", table(headers, cells, right) if rows else
            "No op was measured both as kvstore and as raw.", ""]

    if comparisons:
        cells = [[f"`{c['measured']}` / `{c['baseline']}`", fmt_time(c["measured_ns"]),
                  fmt_time(c["baseline_ns"]), f"{c['ratio']:.2f}", f"{c['cpu']['ratio']:.2f}",
                  fmt_target(c.get("target"), c.get("met"))] for c in comparisons]
        out += ["## Comparisons", "", "Ratios between two benchmarks, other than kvstore / raw.",
                "", table(["measured / baseline", "measured", "baseline", "ratio", "cpu ratio",
                           "target"], cells, {1, 2, 3, 4}), ""]
    out += concurrent_markdown(curve, args.threads_image if args.threads_data else None)
    if others:
        cells = [[f"`{name}`", fmt_time(t["real"]), fmt_time(t["cpu"]),
                  ", ".join(f"{k}={v:.3g}" for k, v in sorted(t["counters"].items()))]
                 for name, t in others]
        out += ["## Other benchmarks", "", "The benchmarks without a kvstore/raw pair.", "",
                table(["benchmark", "real time", "cpu time", "counters"], cells, {1, 2}), ""]
    if errors:
        out += ["## Errors", "", *[f"- `{name}`: {message}" for name, message in errors.items()],
                ""]
    return "\n".join(out)


def concurrent_writers(by_op):
    """{threads: {(mode, implementation): ops/s}} of the concurrent_set rows."""
    curve = {}
    for op, timings in by_op.items():
        match = CONCURRENT.match(op)
        if match:
            mode, threads = match.group(1), int(match.group(2))
            for implementation in WRITERS:
                if implementation in timings:
                    curve.setdefault(threads, {})[(mode, implementation)] = (
                        1e9 / timings[implementation]["real"])
    return dict(sorted(curve.items()))


def concurrent_markdown(curve, image):
    if not curve:
        return []
    headers = ["threads", *[f"{i} `{m}`" for m in ("full", "normal") for i in WRITERS]]
    cells = [[str(threads), *[f"{ops[(m, i)]:,.0f}" if (m, i) in ops else "-"
                              for m in ("full", "normal") for i in WRITERS]]
             for threads, ops in curve.items()]
    return ["## Concurrent writers", "",
            "`set` from 1-8 threads on one file, in operations per second (the run's wall time "
            "over all threads' writes): kvstore's threads share one Store (group commit), raw "
            "sqlite3 has one connection per thread, LevelDB one DB; `full` syncs every write "
            "(LevelDB `sync = true`), `normal` does not.", "",
            *([f"![set throughput by thread count]({image})", ""] if image else []),
            table(headers, cells, set(range(len(headers)))), ""]


def write_threads_plot(curve, path):
    with open(path, "w", encoding="utf-8") as f:
        for threads, ops in curve.items():
            values = [f"{ops[(m, i)]:.6g}" if (m, i) in ops else "?"
                      for m in ("full", "normal") for i in WRITERS]
            f.write("\t".join([str(threads), *values]) + "\n")


def write_plot(context, rows, statistic, args):
    """One line per row, top to bottom: index, label, kvstore / raw, memlayer / raw ('?' if not
    measured), both as text; and the variables ratio.gp needs."""
    values = [1.0]
    with open(args.plot_data, "w", encoding="utf-8") as f:
        for i, (op, t) in enumerate(rows):
            raw = t["raw"]["real"]
            kv = t["kvstore"]["real"] / raw
            mem = t["memlayer"]["real"] / raw if "memlayer" in t else None
            values += [kv] if mem is None else [kv, mem]
            f.write(f"{i}\t{op}  (raw {fmt_time(raw)})\t{kv:.6g}\t"
                    f"{'?' if mem is None else f'{mem:.6g}'}\t{kv:.2f}\t"
                    f"{'' if mem is None else f'{mem:.2f}'}\n")

    def quote(text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    machine = "; ".join(x for x in (context.get("cpu_model"),
                                    f"{context.get('num_cpus', '?')} cores",
                                    context.get("date", "").replace("T", " ")) if x)
    title = "kvstore and in-memory layer time over raw sqlite3 in the same run (raw = 1.0)"
    subtitle = f"per-iteration real time, {statistic}; below 1.0 = faster than raw sqlite3"
    with open(args.plot_vars, "w", encoding="utf-8") as f:
        f.write(f"n = {len(rows)}\nxmin = {min(values):.6g}\nxmax = {max(values):.6g}\n"
                f"has_memlayer = {int(any('memlayer' in t for _, t in rows))}\n"
                f"title = {quote(title)}\nsubtitle = {quote(subtitle)}\n"
                f"machine = {quote(machine)}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bench_json")
    parser.add_argument("--markdown", required=True)
    parser.add_argument("--plot-data", required=True)
    parser.add_argument("--plot-vars", required=True)
    parser.add_argument("--ratios")
    parser.add_argument("--image", default="bench.png")
    parser.add_argument("--load-end", default="")
    parser.add_argument("--threads-data")
    parser.add_argument("--threads-image", default="bench-threads.png")
    args = parser.parse_args()

    with open(args.bench_json, encoding="utf-8") as f:
        data = json.load(f)
    if not data.get("benchmarks"):
        sys.exit(f"bench_report: no benchmark in {args.bench_json}")
    best, errors = measurements(data["benchmarks"])
    targets, comparisons = {}, []
    if args.ratios:
        with open(args.ratios, encoding="utf-8") as f:
            ratios = json.load(f)
        targets = {r["op"]: r["target"] for r in ratios.get("rows", []) if "target" in r}
        comparisons = ratios.get("comparisons", [])

    by_op = {}  # op -> {implementation: timing}, in first-run order
    for name, timing in best.items():
        implementation, op = split(name)
        by_op.setdefault(op, {})[implementation] = timing
    rows = [(op, t) for op, t in by_op.items() if "kvstore" in t and "raw" in t]
    curve = concurrent_writers(by_op)
    shown = {f"{i}/{op}" for op, t in rows for i in IMPLEMENTATIONS if i in t}
    shown |= {f"leveldb/{op}" for op, t in by_op.items() if CONCURRENT.match(op) and "leveldb" in t}
    others = [(name, t) for name, t in best.items() if "/".join(split(name)) not in shown]
    repetitions = max(t["repetitions"] for t in best.values()) if best else 1
    statistic = f"median of {repetitions} repetitions" if repetitions > 1 else "one run each"
    context = data.get("context", {})

    with open(args.markdown, "w", encoding="utf-8") as f:
        f.write(markdown(context, rows, others, errors, targets, comparisons, statistic, args,
                         curve))
    write_plot(context, rows, statistic, args)
    if args.threads_data:
        write_threads_plot(curve, args.threads_data)


if __name__ == "__main__":
    main()
