"""Start and stop one real weaviate-server node on 127.0.0.1, on free ports, with its own data directory."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Self

import httpx

from weavectl.core.weaviate.version import parse_version
from weavectl.devserver.binary import ensure_binary, resolve_version
from weavectl.devserver.lifecycle import StartStop
from weavectl.devserver.tiktoken import ensure_tiktoken_cache
from weavectl.errors import DevServerError

# Local-inference modules that need no inference container at start-up; tests add text2vec-transformers
# together with its TRANSFORMERS_INFERENCE_API.
DEFAULT_MODULES = ("text2vec-ollama", "generative-ollama")
READY_TIMEOUT_S = 90.0


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int, *, taken: Collection[int] = ()) -> list[int]:
    """`count` distinct ports free on 127.0.0.1 now, none of them `taken`. Every socket stays bound until all are
    chosen: a port closed and asked for again can come back the same, and two settings on one port stop the node
    (seen: 1.32.5's gRPC server and its RAFT RPC server given one port, "bind: address already in use")."""
    sockets: list[socket.socket] = []
    ports: list[int] = []
    try:
        while len(ports) < count:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
            if port not in taken:
                ports.append(port)
        return ports
    finally:
        for sock in sockets:
            sock.close()


class WeaviateServer(StartStop):
    """A running node. Use as a context manager, or call `start()` and `stop()`.

    api_keys: when given, the server runs in API-key mode (needed by Weaviate Embeddings, which forwards the
    caller's own key) and each key is an admin; otherwise anonymous access.
    data_dir: reuse a directory across restarts (benchmarks); by default a temporary one, removed on stop.
    version: the Weaviate release to run (its cached build); by default $WEAVIATE_BIN, else
    $WEAVECTL_SERVER_VERSION, else WEAVIATE_VERSION (see `ensure_binary`).
    """

    def __init__(
        self,
        *,
        api_keys: tuple[str, ...] = (),
        modules: tuple[str, ...] = DEFAULT_MODULES,
        env: Mapping[str, str] | None = None,
        data_dir: Path | None = None,
        binary: Path | None = None,
        version: str | None = None,
        ready_timeout: float = READY_TIMEOUT_S,
    ) -> None:
        self.ready_timeout = ready_timeout  # a node restoring hundreds of collections needs minutes
        self.requested_version = resolve_version(version) if version else None
        self.api_keys = api_keys
        self.modules = modules
        self.extra_env = dict(env or {})
        self._own_data_dir = data_dir is None
        self.data_dir = data_dir
        self.binary = binary
        self.http_port = 0
        self.grpc_port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path: Path | None = None
        self.version = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def grpc_address(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_keys[0]}"} if self.api_keys else {}

    def _environment(self) -> dict[str, str]:
        assert self.data_dir is not None
        ports = free_ports(5, taken={self.http_port} if self.http_port else ())
        gossip, data, raft, raft_rpc, self.grpc_port = ports
        env = {
            # Keep the parent's PATH/HOME etc., but none of its Weaviate settings: defaults must be the server's.
            **{k: v for k, v in os.environ.items() if not _is_weaviate_setting(k)},
            "PERSISTENCE_DATA_PATH": str(self.data_dir),
            # A fixed node name, so a restart on the same data directory finds its RAFT state.
            "CLUSTER_HOSTNAME": "node1",
            # The default interface has an IPv6 address that some versions cannot advertise.
            "CLUSTER_ADVERTISE_ADDR": "127.0.0.1",
            "CLUSTER_GOSSIP_BIND_PORT": str(gossip),
            "CLUSTER_DATA_BIND_PORT": str(data),
            "RAFT_PORT": str(raft),
            "RAFT_INTERNAL_RPC_PORT": str(raft_rpc),
            "RAFT_BOOTSTRAP_EXPECT": "1",
            "GRPC_PORT": str(self.grpc_port),
            "DISABLE_TELEMETRY": "true",
            "GO_PROFILING_DISABLE": "true",
            "PROMETHEUS_MONITORING_ENABLED": "false",
            "DEFAULT_VECTORIZER_MODULE": "none",
            "ENABLE_MODULES": ",".join(self.modules),
            "TIKTOKEN_CACHE_DIR": str(ensure_tiktoken_cache()),
            "LOG_LEVEL": "info",
            "QUERY_DEFAULTS_LIMIT": "25",
        }
        env.update(_version_env(self.requested_version))
        if self.api_keys:
            env.update({
                "AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED": "false",
                "AUTHENTICATION_APIKEY_ENABLED": "true",
                "AUTHENTICATION_APIKEY_ALLOWED_KEYS": ",".join(self.api_keys),
                "AUTHENTICATION_APIKEY_USERS": ",".join(f"user{i}" for i in range(len(self.api_keys))),
                "AUTHORIZATION_ADMINLIST_ENABLED": "true",
                "AUTHORIZATION_ADMINLIST_USERS": ",".join(f"user{i}" for i in range(len(self.api_keys))),
            })
        else:
            env["AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED"] = "true"
        env.update(self.extra_env)
        self.grpc_port = int(env["GRPC_PORT"])  # a cluster node pins its own ports through `env`
        return env

    def start(self) -> Self:
        binary = self.binary or ensure_binary(self.requested_version)
        if self.data_dir is None:
            self.data_dir = Path(tempfile.mkdtemp(prefix="weavectl-weaviate-"))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.http_port = self.http_port or free_port()  # a restart keeps the node's URL
        env = self._environment()
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}.log"
        try:  # a failed start removes the data directory it made (stop() does), whatever failed
            with open(self.log_path, "wb") as log:
                self.proc = subprocess.Popen(
                    [str(binary), "--host", "127.0.0.1", "--port", str(self.http_port), "--scheme", "http"],
                    env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                )
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + self.ready_timeout
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise DevServerError(
                        f"weaviate-server exited with code {self.proc.returncode} during start-up:\n"
                        f"{self.log_tail()}"
                    )
                try:
                    if client.get(f"{self.url}/v1/.well-known/ready").status_code == 200:
                        meta = client.get(f"{self.url}/v1/meta", headers=self.headers())
                        meta.raise_for_status()
                        self.version = str(meta.json().get("version", ""))
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
        raise DevServerError(f"weaviate-server was not ready after {self.ready_timeout:.0f}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, *, keep_data: bool = False) -> None:
        if self.proc is not None and self.proc.poll() is None:
            # SIGTERM lets the node flush its stores; a restart on the same data directory relies on that.
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc = None
        if self._own_data_dir and not keep_data and self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            if self.log_path is not None:
                self.log_path.unlink(missing_ok=True)

    def kill(self) -> None:
        """Stop abruptly, as a crash would (failure-injection tests)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


def _version_env(version: str | None) -> dict[str, str]:
    """Settings a release needs to offer what later releases offer by default.

    Before 1.33 the API-based modules (openai, cohere, ... generative and reranker ones too) are registered only
    when listed in ENABLE_MODULES or when ENABLE_API_BASED_MODULES is on (v1.32.5
    adapters/handlers/rest/configure_api.go, registerModules); from 1.33 they are on by default and the
    variable is ignored, so it is also set when the version is unknown ($WEAVIATE_BIN).
    """
    if version is not None and parse_version(version) >= (1, 33, 0):
        return {}
    return {"ENABLE_API_BASED_MODULES": "true"}


_WEAVIATE_ENV_PREFIXES = (
    "AUTHENTICATION_", "AUTHORIZATION_", "CLUSTER_", "RAFT_", "PERSISTENCE_", "DEFAULT_", "ENABLE_MODULES",
    "ENABLE_API_BASED_MODULES",
    "QUERY_", "ASYNC_", "REPLICATION_", "TRANSFORMERS_", "MODULES_", "API_BASED_MODULES", "HNSW_",
    "USE_INVERTED_SEARCHABLE", "OPENAI_", "COHERE_", "NVIDIA_", "AZURE_", "GOOGLE_", "AWS_", "PALM_",
)


def _is_weaviate_setting(name: str) -> bool:
    return name.startswith(_WEAVIATE_ENV_PREFIXES) or name in {"GRPC_PORT", "PORT", "HOST", "LOG_LEVEL"}
