"""`weavectl plan` on 1,000 collections of 20 properties, against the floor of fetching and parsing /v1/schema.

Run: python -m benchmarks.bench_plan [--collections 1000] [--repeat 5]
The collections are created once into a cached data directory (one node creates them slowly once there are
hundreds) and the server restarts on it for every later run. Reports the median plan time (in-process, and as
a fresh `weavectl plan` process), the floor (GET /v1/schema + json parse in the same run), their ratio, a second
floor (PyYAML's C loader reading the same config file, which plan must read too) and the ratio to both, the
number of HTTP requests plan sent (must not grow with the number of collections), and peak memory.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from benchmarks.common import InProcessPlan, create_collections, options, schema_floor
from benchmarks.timing import median_time
from weavectl.adapters.weaviate import WeaviateClient
from weavectl.devserver import WEAVIATE_VERSION, WeaviateServer
from weavectl.devserver.binary import cache_root
from weavectl.run import load_config


def make_config(collections: int, properties: int = 20) -> dict[str, Any]:
    cols = []
    for i in range(collections):
        props = [{"name": f"p{j}", "data_type": ["text", "int", "number", "boolean"][j % 4],
                  "description": f"field {j}"} for j in range(properties)]
        cols.append({
            "name": f"Bench{i:04d}", "description": f"benchmark collection {i}", "properties": props,
            "vectors": {"main": {"vectorizer": "text2vec-openai", "model": "text-embedding-3-small",
                                 "base_url": "http://127.0.0.1:9", "source_properties": ["p1", "p5"],
                                 "index": {"type": "hnsw", "distance": "cosine", "ef": 100}}},
            "inverted_index": {"bm25": {"b": 0.7, "k1": 1.1}},
        })
    return {"version": 1, "collections": cols}


def ensure_data(config: dict[str, Any], collections: int) -> Path:
    data_dir = cache_root() / "bench" / f"plan-{collections}-{WEAVIATE_VERSION}"
    marker = data_dir / ".complete"
    if marker.exists():
        return data_dir
    print(f"creating {collections} collections once into {data_dir} (several minutes)...", file=sys.stderr)
    data_dir.mkdir(parents=True, exist_ok=True)
    # The data directory is the caller's, so stopping the node keeps it.
    with WeaviateServer(data_dir=data_dir, ready_timeout=900) as server:
        create_collections(server.url, config["collections"], 100, resume=True)
    marker.write_text("ok\n")
    return data_dir


def live_reads(url: str) -> None:
    """The reads a plan makes (meta, schema, aliases), parsed, through weavectl's own client."""
    client = WeaviateClient(url)
    try:
        client.read_state()
    finally:
        client.close()


def main() -> None:
    args = options(collections=1000, repeat=5)
    config = make_config(args.collections)
    data_dir = ensure_data(config, args.collections)
    with WeaviateServer(data_dir=data_dir, ready_timeout=900) as server:
        with tempfile.TemporaryDirectory() as tmp:
            cfg = Path(tmp) / "bench.yaml"
            cfg.write_text(yaml.safe_dump(config, sort_keys=False))
            plan = InProcessPlan(str(cfg))
            text = cfg.read_text()

            def yaml_floor() -> None:
                yaml.load(text, Loader=yaml.CSafeLoader)

            floor_s = median_time(partial(schema_floor, server.url, args.collections), args.repeat)
            yaml_floor_s = median_time(yaml_floor, args.repeat)
            plan_s = median_time(partial(plan, server.url), args.repeat)
            # Where a plan's time goes, each phase timed alone in the same run: reading and validating the
            # config (beside the YAML floor), the live reads (beside the schema floor), and the rest (diff,
            # checks, the JSON view) as what remains.
            load_s = median_time(partial(load_config, (str(cfg),), None, {}), args.repeat)
            reads_s = median_time(partial(live_reads, server.url), args.repeat)
            fresh_s = median_time(lambda: subprocess.run(
                [sys.executable, "-m", "weavectl", "plan", "-f", str(cfg), "--url", server.url, "--format", "json"],
                capture_output=True, check=True), max(1, args.repeat // 2))
        result = {
            "benchmark": "plan",
            "server": server.version,
            "collections": args.collections,
            "properties_per_collection": 20,
            "floor_get_schema_and_parse_s": round(floor_s, 3),
            "plan_in_process_s": round(plan_s, 3),
            "plan_fresh_process_s": round(fresh_s, 3),
            "ratio_plan_to_floor": round(plan_s / floor_s, 2),
            # Plan must also read the user's file; PyYAML's own load of it is a second floor, same run.
            "floor_yaml_load_of_config_s": round(yaml_floor_s, 3),
            "ratio_plan_to_both_floors": round(plan_s / (floor_s + yaml_floor_s), 2),
            "phase_config_read_and_validate_s": round(load_s, 3),
            "ratio_config_read_to_yaml_floor": round(load_s / yaml_floor_s, 2),
            "phase_live_reads_s": round(reads_s, 3),
            "ratio_live_reads_to_floor": round(reads_s / floor_s, 2),
            "phase_diff_checks_and_view_s": round(max(plan_s - load_s - reads_s, 0.0), 3),
            "requests_per_plan": sorted(set(plan.request_counts)),
            # 0: no changes, as it must be for collections made from the file
            "plan_exit_code": plan.codes[-1] if plan.codes else None,
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
