"""A real multi-node Weaviate cluster on 127.0.0.1: N `weaviate-server` processes, each with its own ports and
data directory, joined by gossip and RAFT. Nodes can be stopped, restarted and killed one at a time.

Settings that make several nodes work on one loopback interface (facts, sections 7 and 11;
`usecases/cluster/state.go` selectMemberlistConfig, `cluster/resolver/raft.go`): `CLUSTER_IN_LOCALHOST=true`;
a peer's RAFT RPC port is taken to be its RAFT port + 1, so every node keeps that relation; `RAFT_JOIN` lists
every node as `name:raft_port`; `CLUSTER_JOIN` points at node 1's gossip port; `RAFT_BOOTSTRAP_EXPECT` = N.
"""

from __future__ import annotations

import random
import shutil
import socket
import tempfile
import time
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import httpx

from weavectl.devserver.lifecycle import StartStop
from weavectl.devserver.process import DEFAULT_MODULES, READY_TIMEOUT_S, WeaviateServer
from weavectl.errors import DevServerError


@dataclass(frozen=True)
class NodePorts:
    http: int
    grpc: int
    gossip: int  # data port = gossip + 1
    raft: int  # RAFT internal RPC port = raft + 1


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def _candidates() -> list[int]:
    """Ports outside the kernel's ephemeral range: a member restarted after a crash must get its ports back, and
    an ephemeral port may meanwhile be taken as the source port of some outgoing connection."""
    low, high = _ephemeral_range()
    pool = [p for p in range(20000, 65000) if not low <= p <= high]
    random.shuffle(pool)
    return pool


def _reserve(stack: ExitStack, count: int, pool: list[int]) -> int:
    """The first of `count` consecutive free ports, held open until the stack closes so none is handed out twice."""
    while pool:
        base = pool.pop()
        held = []
        try:
            for offset in range(count):
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                held.append(sock)
                sock.bind(("127.0.0.1", base + offset))
        except OSError:
            for sock in held:
                sock.close()
            continue
        for sock in held:
            stack.callback(sock.close)
        return base
    raise DevServerError("could not find free ports on 127.0.0.1")


def allocate_ports(nodes: int) -> list[NodePorts]:
    pool = _candidates()
    with ExitStack() as stack:
        return [NodePorts(_reserve(stack, 1, pool), _reserve(stack, 1, pool), _reserve(stack, 2, pool),
                          _reserve(stack, 2, pool)) for _ in range(nodes)]


class ClusterNode(WeaviateServer):
    """One member. The cluster starts all members first and waits afterwards: a member is not ready until it has
    joined, so waiting for each in turn would never finish."""

    def __init__(self, name: str, *, defer_ready: bool = False, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.name = name
        self.defer_ready = defer_ready

    def _wait_ready(self) -> None:
        if self.defer_ready:
            return
        super()._wait_ready()

    def wait_ready(self) -> None:
        self.defer_ready = False
        super()._wait_ready()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def _wait_listening(node: ClusterNode, port: int, timeout: float = READY_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not node.running:
            raise DevServerError(f"{node.name} exited during start-up:\n{node.log_tail()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise DevServerError(f"{node.name} did not listen on its gossip port {port} within {timeout:.0f}s")


def _problems(node: ClusterNode, lines: int = 8) -> str:
    if node.log_path is None or not node.log_path.exists():
        return "(no log)"
    found = [line for line in node.log_path.read_text(errors="replace").splitlines()
             if '"level":"info"' not in line and '"level":"debug"' not in line]
    return "\n".join(found[-lines:]) or "(nothing above info level)"


class WeaviateCluster(StartStop):
    """`nodes` real members on loopback; a context manager, or `start()` / `stop()`.

    replica_movement: sets `REPLICA_MOVEMENT_ENABLED=true` on every node (1.35+: /v1/replication/scale).
    version: the Weaviate release every node runs (as for `WeaviateServer`).
    """

    def __init__(
        self,
        nodes: int = 3,
        *,
        api_keys: tuple[str, ...] = (),
        modules: tuple[str, ...] = DEFAULT_MODULES,
        env: Mapping[str, str] | None = None,
        binary: Path | None = None,
        version: str | None = None,
        replica_movement: bool = False,
    ) -> None:
        if nodes < 1:
            raise DevServerError("a cluster needs at least one node")
        self.size = nodes
        self.root: Path | None = None
        self.nodes: list[ClusterNode] = []
        self._api_keys = api_keys
        self._modules = modules
        self._env = dict(env or {})
        self._binary = binary
        self._version = version
        self.replica_movement = replica_movement

    # -- addressing -------------------------------------------------------------------------------------
    @property
    def urls(self) -> list[str]:
        return [n.url for n in self.nodes]

    @property
    def url(self) -> str:
        """The first running node's URL."""
        return next((n.url for n in self.nodes if n.running), self.nodes[0].url)

    @property
    def grpc_address(self) -> str:
        return next((n.grpc_address for n in self.nodes if n.running), self.nodes[0].grpc_address)

    @property
    def version(self) -> str:
        return next((n.version for n in self.nodes if n.version), "")

    def headers(self) -> dict[str, str]:
        return self.nodes[0].headers()

    def node(self, name: str) -> ClusterNode:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)

    # -- life cycle -------------------------------------------------------------------------------------
    def _node_env(self, index: int, ports: list[NodePorts]) -> dict[str, str]:
        mine = ports[index]
        env = {
            **self._env,
            "CLUSTER_HOSTNAME": f"node{index + 1}",
            "CLUSTER_IN_LOCALHOST": "true",
            "CLUSTER_GOSSIP_BIND_PORT": str(mine.gossip),
            "CLUSTER_DATA_BIND_PORT": str(mine.gossip + 1),
            # 1.32 advertises memberlist's default port (7946) with CLUSTER_ADVERTISE_ADDR set unless told
            # (`usecases/cluster/state.go` in v1.32.5); later versions advertise the bind port themselves.
            "CLUSTER_ADVERTISE_PORT": str(mine.gossip),
            "RAFT_PORT": str(mine.raft),
            "RAFT_INTERNAL_RPC_PORT": str(mine.raft + 1),
            "RAFT_JOIN": ",".join(f"node{i + 1}:{p.raft}" for i, p in enumerate(ports)),
            "RAFT_BOOTSTRAP_EXPECT": str(len(ports)),
            "GRPC_PORT": str(mine.grpc),
            # Notice a dead member within seconds, not the default tens of seconds.
            "MEMBERLIST_FAST_FAILURE_DETECTION": "true",
        }
        if index:
            env["CLUSTER_JOIN"] = f"127.0.0.1:{ports[0].gossip}"
        if self.replica_movement:
            env["REPLICA_MOVEMENT_ENABLED"] = "true"
        return env

    def start(self) -> Self:
        self.root = Path(tempfile.mkdtemp(prefix="weavectl-cluster-"))
        try:
            self._start_nodes(self.root)
        except DevServerError as exc:
            logs = "\n".join(f"--- {n.name} (last warnings and errors)\n{_problems(n)}" for n in self.nodes)
            self.stop()
            raise DevServerError(f"the cluster did not start: {exc.message.splitlines()[0]}\n{logs}") from None
        except BaseException:  # the root directory and any node already started go too
            self.stop()
            raise
        return self

    def _start_nodes(self, root: Path) -> None:
        ports = allocate_ports(self.size)
        for i, p in enumerate(ports):
            node = ClusterNode(f"node{i + 1}", defer_ready=True, api_keys=self._api_keys, modules=self._modules,
                               env=self._node_env(i, ports), data_dir=root / f"node{i + 1}",
                               binary=self._binary, version=self._version)
            node.http_port = p.http
            self.nodes.append(node)
        for i, node in enumerate(self.nodes):
            node.start()
            if i == 0 and self.size > 1:
                # Before 1.39 a member whose first gossip join is refused gives up for good, so the others
                # start once node 1 listens.
                _wait_listening(node, ports[0].gossip)
        for node in self.nodes:
            node.wait_ready()
        self.wait_healthy()

    def wait_healthy(self, expected: int | None = None, timeout: float = READY_TIMEOUT_S) -> None:
        """Until every running node's /v1/nodes lists `expected` (default: all running) members as HEALTHY."""
        want = expected if expected is not None else sum(n.running for n in self.nodes)
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        with httpx.Client(timeout=5.0, headers=self.headers()) as client:
            while time.monotonic() < deadline:
                try:
                    ok = True
                    for node in self.nodes:
                        if not node.running:
                            continue
                        listed = client.get(f"{node.url}/v1/nodes").json().get("nodes") or []
                        seen = [f"{n.get('name')}={n.get('status')}" for n in listed]
                        if sum(n.get("status") == "HEALTHY" for n in listed) < want:
                            ok = False
                            break
                    if ok:
                        return
                except (httpx.HTTPError, ValueError):
                    pass
                time.sleep(0.3)
        raise DevServerError(f"the cluster did not report {want} healthy node(s) within {timeout:.0f}s "
                             f"(last seen: {', '.join(seen) or 'nothing'})")

    def stop_node(self, name: str) -> ClusterNode:
        """SIGTERM one member and wait for it to exit; its data directory stays for `restart_node`."""
        node = self.node(name)
        node.stop(keep_data=True)
        return node

    def kill_node(self, name: str) -> ClusterNode:
        """SIGKILL one member, as a crash would."""
        node = self.node(name)
        node.kill()
        node.proc = None
        return node

    def restart_node(self, name: str) -> ClusterNode:
        """Start a stopped or killed member again on the same ports and data, and wait until all are healthy."""
        node = self.node(name)
        if not node.running:
            # Rejoin gossip through the members that are up (node 1 has no CLUSTER_JOIN of its own; 1.35 does not
            # find its peers again from RAFT alone).
            peers = [f"127.0.0.1:{n.extra_env['CLUSTER_GOSSIP_BIND_PORT']}" for n in self.nodes
                     if n is not node and n.running]
            if peers:
                node.extra_env["CLUSTER_JOIN"] = ",".join(peers)
            node.defer_ready = False
            node.start()
        self.wait_healthy()
        return node

    def leader(self) -> str | None:
        """The RAFT leader's node name as a running node reports it (`/v1/cluster/statistics`), if any."""
        with httpx.Client(timeout=5.0, headers=self.headers()) as client:
            for node in self.nodes:
                if not node.running:
                    continue
                try:
                    stats = client.get(f"{node.url}/v1/cluster/statistics").json().get("statistics") or []
                except (httpx.HTTPError, ValueError):
                    continue
                for entry in stats:
                    if (entry.get("raft") or {}).get("state") == "Leader":
                        return str(entry.get("name"))
                    if entry.get("leaderId"):
                        return str(entry["leaderId"])
        return None

    def stop(self) -> None:
        for node in self.nodes:
            node.stop(keep_data=True)
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None
