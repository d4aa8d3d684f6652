"""`weavectl plan` against a real 3-node cluster holding 200 collections (replication factor 3, 3 shards each),
against the same floor as bench_plan (GET /v1/schema + json parse, measured in the same run).

Run: python -m benchmarks.bench_plan_cluster [--collections 200] [--repeat 5]
The cluster is started fresh and the collections are created through node 1 (a few minutes on 2 cores). On a
cluster plan also reads the members and RAFT leader (/v1/nodes, /v1/cluster/statistics) and, because the file
declares replication factors, every shard's replicas (/v1/nodes?output=verbose): the requests stay constant in the
number of collections. Reports the plan time through each node, the floor, their ratio and the requests per plan.
"""

from __future__ import annotations

import json
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from benchmarks.bench_plan import make_config
from benchmarks.common import InProcessPlan, create_collections, options, schema_floor
from benchmarks.timing import Stopwatch, median_time
from weavectl.devserver.cluster import WeaviateCluster


def cluster_config(collections: int) -> dict[str, Any]:
    config = make_config(collections)
    for coll in config["collections"]:
        coll["replication"] = {"factor": 3}
        coll["sharding"] = {"desired_count": 3}
    return config


def main() -> None:
    args = options(collections=200, repeat=5)
    config = cluster_config(args.collections)
    with WeaviateCluster(3) as cluster, tempfile.TemporaryDirectory() as tmp:
        with Stopwatch() as creating:
            create_collections(cluster.url, config["collections"], 50)
        cfg = Path(tmp) / "bench.yaml"
        cfg.write_text(yaml.safe_dump(config, sort_keys=False))
        plan = InProcessPlan(str(cfg))
        floor_s = median_time(partial(schema_floor, cluster.url, args.collections), args.repeat)
        per_node = {node.name: median_time(partial(plan, node.url), args.repeat) for node in cluster.nodes}
        plan_s = per_node["node1"]
        result = {
            "benchmark": "plan_cluster",
            "server": cluster.version,
            "nodes": cluster.size,
            "collections": args.collections,
            "properties_per_collection": 20,
            "replication_factor": 3,
            "create_collections_s": round(creating.seconds, 1),
            "floor_get_schema_and_parse_s": round(floor_s, 3),
            "plan_in_process_s_per_node": {k: round(v, 3) for k, v in per_node.items()},
            "ratio_plan_to_floor": round(plan_s / floor_s, 2),
            "requests_per_plan": sorted(set(plan.request_counts)),
            "plan_exit_codes": sorted(set(plan.codes)),  # [0]: no changes, from every node
        }
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
