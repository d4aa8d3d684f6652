"""`weavectl plan` against a server far away: how many round trips a plan waits for, whatever its size.

Run: python -m benchmarks.bench_plan_remote [--collections 200] [--latency-ms 200] [--repeat 7]
A real 1.39.3 node (the plan benchmark's cached collections) sits behind a local proxy that holds every
request for the latency before passing it on, as a server one round trip away would. The plan is timed
through the proxy with and without the latency in the same run; the difference over the latency is the
number of round trips plan waited for one after the other (its requests minus those it overlaps). The floor
is the same GET /v1/schema and parse through the proxy, one round trip.
"""

from __future__ import annotations

import json
import statistics
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

import yaml

from benchmarks.bench_plan import ensure_data, make_config
from benchmarks.common import InProcessPlan, options, schema_floor
from benchmarks.timing import Stopwatch
from tests.support.faultproxy import Fault, FaultProxy
from weavectl.devserver import WeaviateServer

READS = ("/v1/meta", "/v1/schema", "/v1/aliases", "/v1/nodes")  # every read a plan of these collections makes


def main() -> None:
    args = options(collections=200, **{"latency-ms": 200}, repeat=7)
    latency = args.latency_ms / 1000
    config = make_config(args.collections)
    data_dir = ensure_data(config, args.collections)
    with WeaviateServer(data_dir=data_dir, ready_timeout=900) as server, tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "bench.yaml"
        cfg.write_text(yaml.safe_dump(config, sort_keys=False))
        proxy = FaultProxy(server.url).start()
        try:
            plan = InProcessPlan(str(cfg))
            plan(proxy.url)  # fills the parse cache: both timings read the file the same way
            shown = InProcessPlan(str(cfg), output="text")  # the terminal's plan, digest and all

            def far(on: bool) -> None:
                proxy.faults = {path: Fault(delay_s=latency) for path in READS} if on else {}

            def timed(on: bool, what: Callable[[], object]) -> float:
                far(on)
                with Stopwatch() as watch:
                    what()
                return watch.seconds

            # Near and far runs alternate, and each pair's difference is taken: a shared machine's speed drifts
            # between runs, and the difference is what is measured.
            pairs = [(timed(False, partial(plan, proxy.url)), timed(True, partial(plan, proxy.url)))
                     for _ in range(args.repeat)]
            shown_pairs = [(timed(False, partial(shown, proxy.url)), timed(True, partial(shown, proxy.url)))
                           for _ in range(args.repeat)]
            floors = [(timed(False, partial(schema_floor, proxy.url, args.collections)),
                       timed(True, partial(schema_floor, proxy.url, args.collections))) for _ in range(args.repeat)]
        finally:
            proxy.stop()
    result = {
        "benchmark": "plan_remote",
        "server": server.version,
        "collections": args.collections,
        "latency_per_request_s": latency,
        "requests_per_plan": sorted(set(plan.request_counts)),
        "plan_exit_codes": sorted(set(plan.codes + shown.codes)),  # [0]: no changes
        "plan_near_s": round(statistics.median(near for near, _ in pairs), 3),
        "plan_far_s": round(statistics.median(far for _, far in pairs), 3),
        # The requests plan waited for one after the other (3 reads, of which the aliases overlap the schema).
        "round_trips_waited": round(statistics.median(far - near for near, far in pairs) / latency, 2),
        # The text plan (the terminal's default) also reads the node names its digest covers, beside the schema.
        "requests_per_text_plan": sorted(set(shown.request_counts)),
        "text_plan_far_s": round(statistics.median(far for _, far in shown_pairs), 3),
        "text_plan_round_trips_waited": round(statistics.median(far - near for near, far in shown_pairs) / latency,
                                              2),
        "floor_near_s": round(statistics.median(near for near, _ in floors), 3),
        "floor_far_s": round(statistics.median(far for _, far in floors), 3),
        # One request: what the proxy adds beyond the latency shows here as more than 1.
        "floor_round_trips_waited": round(statistics.median(far - near for near, far in floors) / latency, 2),
        "ratio_plan_to_floor_far": round(statistics.median(far for _, far in pairs)
                                         / statistics.median(far for _, far in floors), 2),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
