"""Migration copy throughput against the official client's batch import of the same objects, in the same run.

Run: python -m benchmarks.bench_migrate [--objects 20000] [--dims 32]
A collection with two bring-your-own named vectors and a reference is filled; the floor imports the same
objects (held in memory, with both vectors supplied) into a fresh collection with the official client's
`batch.fixed_size` (gRPC); then `weavectl apply` migrates the collection for a change of one vector's distance
(a replace, so every object is copied with both vectors). Reports objects/s of the copy phase and of the whole
apply (plan, create, copy, delta passes, verify, final pass, alias swap, catch-up), and their ratio to the floor.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import httpx
import yaml

from benchmarks.common import options
from benchmarks.timing import Stopwatch
from weavectl.devserver import WeaviateServer

ROOT = Path(__file__).resolve().parents[1]


def config(name: str, distance: str) -> dict[str, Any]:
    return {"version": 1, "collections": [
        {"name": f"{name}Tag", "properties": [{"name": "label", "data_type": "text"}]},
        {"name": name, "on_replace": "migrate", "aliases": [f"{name}Live"],
         "properties": [{"name": "title", "data_type": "text"}, {"name": "n", "data_type": "int"},
                        {"name": "tag", "target_collection": f"{name}Tag"}],
         "vectors": {"a": {"vectorizer": "none", "index": {"type": "hnsw", "distance": distance}},
                     "b": {"vectorizer": "none", "index": {"type": "hnsw"}}}}]}


def weavectl(server: WeaviateServer, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WEAVIATE_URL": server.url}
    proc = subprocess.run([sys.executable, "-m", "weavectl", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=3600)
    if proc.returncode != 0:
        raise SystemExit(f"weavectl {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def main() -> None:
    args = options(objects=20_000, dims=32)
    rng = random.Random(1)
    name = "BenchMig"
    with WeaviateServer() as server, tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "weavectl.yaml"
        cfg.write_text(yaml.safe_dump(config(name, "cosine"), sort_keys=False))
        weavectl(server, "apply", "-f", str(cfg), "--auto-approve")
        tag = str(uuid.UUID(int=1))
        httpx.post(f"{server.url}/v1/objects", json={"class": f"{name}Tag", "id": tag,
                                                      "properties": {"label": "t"}}, timeout=30).raise_for_status()
        objects: list[dict[str, Any]] = [
            {"id": str(uuid.uuid4()), "properties": {"title": f"object {i}", "n": i},
             "vectors": {"a": [rng.uniform(-1, 1) for _ in range(args.dims)],
                         "b": [rng.uniform(-1, 1) for _ in range(args.dims)]}} for i in range(args.objects)]
        for i in range(0, len(objects), 1000):
            body = [{"class": name, **o, "properties": {**o["properties"], "tag": [
                {"beacon": f"weaviate://localhost/{name}Tag/{tag}"}]}} for o in objects[i:i + 1000]]
            httpx.post(f"{server.url}/v1/batch/objects", json={"objects": body}, timeout=300).raise_for_status()

        # Floor: the official client's batch import of the same objects, vectors supplied (gRPC).
        import weaviate
        from weaviate.classes.config import Configure, DataType, Property

        client = weaviate.connect_to_local(host="127.0.0.1", port=server.http_port, grpc_port=server.grpc_port)
        try:
            floor = client.collections.create(
                f"{name}Floor", properties=[Property(name="title", data_type=DataType.TEXT),
                                            Property(name="n", data_type=DataType.INT)],
                vector_config=[Configure.Vectors.self_provided(name="a"), Configure.Vectors.self_provided(name="b")])
            with Stopwatch() as importing, floor.batch.fixed_size(batch_size=500, concurrent_requests=2) as batch:
                for o in objects:
                    batch.add_object(properties=o["properties"], uuid=o["id"], vector=o["vectors"])
            floor_s = importing.seconds
            failed = len(floor.batch.failed_objects)
        finally:
            client.close()

        cfg.write_text(yaml.safe_dump(config(name, "dot"), sort_keys=False))
        report_path = Path(tmp) / "report.json"
        with Stopwatch() as applying:
            weavectl(server, "apply", "-f", str(cfg), "--auto-approve", "--report", str(report_path))
        apply_s = applying.seconds
        report = json.loads(report_path.read_text())["migrations"][0]
        copy_s = float(report["phase_seconds"]["copy"])
        n = args.objects
        print(json.dumps({
            "objects": n, "dims": args.dims, "vectors": 2, "server": server.version,
            "floor_client_batch_import_s": round(floor_s, 2), "floor_objects_per_s": round(n / floor_s),
            "floor_failed": failed,
            "migrate_copy_s": copy_s, "migrate_copy_objects_per_s": round(n / copy_s),
            "migrate_apply_total_s": round(apply_s, 2), "migrate_total_objects_per_s": round(n / apply_s),
            "phase_seconds": report["phase_seconds"],
            "ratio_copy_to_floor": round((n / copy_s) / (n / floor_s), 2),
            "ratio_total_to_floor": round((n / apply_s) / (n / floor_s), 2),
        }, indent=2))


if __name__ == "__main__":
    main()
