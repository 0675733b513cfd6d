"""TAK gateway benchmark: sustained CoT positions/s with rebroadcast on, latency from sending
to rebroadcast with 500 connected clients, 2,000 concurrent connections, and idle CPU.

The gateway runs as ``peacewatch tak serve`` in its own process (compliance and fusion
attached, SQLite with ``synchronous=FULL`` as by default), so its CPU time is read from
/proc; this process is the devices. Latency is measured from the moment a device sends a
position to the moment another device receives its rebroadcast (so it includes parsing,
the durable write, the label-filtered read and the send: an upper bound of receipt →
rebroadcast). Appends a section to BENCHMARKS.md.

Then the same relay load (one device sends, another receives) against PeaceWatch and
against FreeTAKServer 2.2.1, installed from PyPI in ~/.cache/peacewatch-bench/fts-venv and
run in network, mount and PID namespaces with only loopback (``unshare``, as root), with
their ratio.

Run: ``.venv/bin/python bench/tak.py`` (``--messages``, ``--clients``, ``--connections``,
``--relay-messages``, ``--no-fts``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from peacewatch.domain.labels import Classification, Viewer
from peacewatch.ingest import records
from peacewatch.security.users import add_user
from peacewatch.store import Store, open_store
from peacewatch.store.migrate import upgrade
from peacewatch.store.tables import unit_positions
from run import machine

ROOT = Path(__file__).resolve().parents[1]
ADMIN = Viewer("bench", "GBR", Classification.NATO_SECRET, frozenset({"NATO", "KFOR"}))
TIME_RE = re.compile(rb'<event [^>]*?time="([^"]+)"')


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(path: Path) -> Store:
    """A fresh store with the mission, its nations and the devices' user."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = open_store(f"sqlite:///{path}")
    upgrade(store)
    records.add_nations(
        store,
        [
            {"code": "GBR", "name": "United Kingdom", "kind": "nation"},
            {"code": "NATO", "name": "NATO", "kind": "community"},
            {"code": "KFOR", "name": "KFOR", "kind": "community"},
        ],
    )
    records.add_mission(
        store,
        viewer=ADMIN,
        data={"code": "KFOR", "name": "Kosovo Force", "start": "1999-06-12T00:00:00Z",
              "default_label": "NATO UNCLASSIFIED REL TO KFOR, NATO"},
    )  # fmt: skip
    add_user(
        store, actor="bench", username="bench.patrol", nation="GBR", clearance="NATO SECRET",
        communities=["NATO", "KFOR"], roles=["patrol_leader"], password=None,
    )  # fmt: skip
    return store


def cot_time(moment: float) -> str:
    """A CoT time with milliseconds."""
    stamp = datetime.fromtimestamp(moment, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def sa(uid: str, moment: float, lat: float, lon: float) -> bytes:
    """A device's SA message, as ATAK sends it."""
    t = cot_time(moment)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><event version="2.0" uid="{uid}" '
        f'type="a-f-G-U-C" how="m-g" time="{t}" start="{t}" stale="{cot_time(moment + 120)}">'
        f'<point lat="{lat:.6f}" lon="{lon:.6f}" hae="300" ce="9.9" le="9999999.0"/>'
        f'<detail><contact callsign="{uid}" endpoint="*:-1:stcp"/>'
        f'<__group name="Cyan" role="Team Member"/><track course="90.0" speed="1.2"/>'
        f"</detail></event>"
    ).encode()


class Gateway:
    """``peacewatch tak serve`` in a subprocess, and its CPU time."""

    def __init__(self, db: Path) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "PEACEWATCH_DATABASE_URL": f"sqlite:///{db}",
            "PEACEWATCH_TAK_PLAIN_USER": "bench.patrol",
            "PEACEWATCH_TAK_TCP_PORT": str(self.port),
            "PEACEWATCH_TAK_UDP_PORT": "0",
            "PEACEWATCH_TAK_TLS_PORT": "0",
            "PEACEWATCH_TAK_MAX_CONNECTIONS": "5000",
            "PEACEWATCH_TAK_QUEUE_SIZE": "5000",
            "PEACEWATCH_TAK_CERT_DIR": str(db.parent / "no-certs"),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "peacewatch.cli", "tak", "serve"],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("{"):
            raise SystemExit(f"the gateway did not start: {line}")

    def cpu(self) -> float:
        """CPU seconds used so far (user + system, all threads)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        """Stop the process."""
        self.proc.terminate()
        self.proc.wait(timeout=30)


def quiesce(gw: Gateway, limit_s: float = 120.0) -> float:
    """Wait until the gateway has caught up (under 5% of a core over half a second), so that
    each measure starts from rest; returns the seconds waited."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit_s:
        cpu0 = gw.cpu()
        time.sleep(0.5)
        if gw.cpu() - cpu0 < 0.025:
            break
    return time.perf_counter() - start


async def drain(reader: asyncio.StreamReader, counter: list[int]) -> None:
    """Read and discard what the gateway sends; count bytes."""
    try:
        while data := await reader.read(1 << 16):
            counter[0] += len(data)
    except (ConnectionError, asyncio.CancelledError):
        pass


def positions(store: Store) -> int:
    """Positions stored."""
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(unit_positions)).scalar_one())


async def throughput(gw: Gateway, store: Store, messages: int, devices: int) -> dict[str, Any]:
    """Send ``messages`` SA from ``devices`` devices over 4 connections as fast as they go,
    with a receiving device connected; time until all are stored."""
    received = [0]
    reader, _ = await asyncio.open_connection("127.0.0.1", gw.port)
    sink = asyncio.create_task(drain(reader, received))
    senders = [await asyncio.open_connection("127.0.0.1", gw.port) for _ in range(4)]
    drains = [asyncio.create_task(drain(r, [0])) for r, _ in senders]
    # warm up: every device's unit exists before the clock starts
    now = time.time()
    for i in range(devices):
        senders[0][1].write(sa(f"BENCH-{i}", now, 42.5, 21.0))
    await senders[0][1].drain()
    while positions(store) < devices:
        await asyncio.sleep(0.1)
    base = positions(store)
    per_sender = messages // len(senders)
    chunks = []
    now = time.time()
    for s in range(len(senders)):
        batch = [
            sa(f"BENCH-{(s * per_sender + i) % devices}", now + i * 1e-3, 42.5 + i * 1e-6, 21.0)
            for i in range(per_sender)
        ]
        chunks.append([b"".join(batch[j : j + 500]) for j in range(0, len(batch), 500)])
    cpu0, t0 = gw.cpu(), time.perf_counter()

    async def send(writer: asyncio.StreamWriter, parts: list[bytes]) -> None:
        for part in parts:
            writer.write(part)
            await writer.drain()

    await asyncio.gather(*(send(w, c) for (_, w), c in zip(senders, chunks, strict=True)))
    sent_at = time.perf_counter() - t0
    total = per_sender * len(senders)
    while positions(store) - base < total:
        await asyncio.sleep(0.05)
        if time.perf_counter() - t0 > 600:
            break
    elapsed = time.perf_counter() - t0
    cpu = gw.cpu() - cpu0
    stored = positions(store) - base
    await asyncio.sleep(1.0)
    for task in (sink, *drains):
        task.cancel()
    for _, writer in senders:
        writer.close()
    return {
        "messages": total,
        "stored": stored,
        "seconds": elapsed,
        "send_seconds": sent_at,
        "rate": stored / elapsed,
        "cpu_cores": cpu / elapsed,
        "rate_per_core": stored / cpu if cpu else 0.0,
        "rebroadcast_bytes": received[0],
    }


def _drainers(port: int, count: int, ready: Any, stop: Any) -> None:
    """In a process of its own: ``count`` connected devices that read and discard what the
    gateway sends them, until ``stop`` is set."""

    async def run() -> None:
        conns = [await asyncio.open_connection("127.0.0.1", port) for _ in range(count)]
        tasks = [asyncio.create_task(drain(r, [0])) for r, _ in conns]
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.2)
        for task in tasks:
            task.cancel()
        for _, w in conns:
            w.close()

    asyncio.run(run())


async def latency(gw: Gateway, clients: int, rate: float, seconds: float) -> dict[str, Any]:
    """``clients`` connected devices; one sends ``rate`` SA/s; 20 of them time each
    rebroadcast (send → receive). The others drain in a process of their own: in this one,
    reading 480 sockets' rebroadcasts delayed the timers' own reads and counted this
    process's scheduling as the gateway's latency."""
    timers = 20
    samples: list[float] = []
    ctx = multiprocessing.get_context("spawn")
    ready, stop = ctx.Event(), ctx.Event()
    others = ctx.Process(target=_drainers, args=(gw.port, clients - timers, ready, stop))
    others.start()
    if not await asyncio.to_thread(ready.wait, 120):
        raise SystemExit("the draining devices did not connect")
    conns = [await asyncio.open_connection("127.0.0.1", gw.port) for _ in range(timers)]
    begin = time.time()

    async def timed(reader: asyncio.StreamReader) -> None:
        buffer = b""
        try:
            while data := await reader.read(1 << 16):
                arrived = time.time()
                buffer += data
                *events, buffer = buffer.split(b"</event>")
                for event in events:
                    if b"LAT-" not in event:
                        continue
                    match = TIME_RE.search(event)
                    if match:
                        sent = datetime.fromisoformat(match.group(1).decode()).timestamp()
                        if sent >= begin:  # not the picture sent on connection
                            samples.append(arrived - sent)
        except (ConnectionError, asyncio.CancelledError):
            pass

    tasks = [asyncio.create_task(timed(r)) for r, _ in conns]
    # every client has been sent the picture (each unit's latest position) before timing
    await asyncio.to_thread(quiesce, gw)
    begin = time.time()
    _, writer = await asyncio.open_connection("127.0.0.1", gw.port)
    interval, start, cpu0 = 1.0 / rate, time.perf_counter(), gw.cpu()
    sent = 0
    while time.perf_counter() - start < seconds:
        writer.write(sa(f"LAT-{sent % 50}", time.time(), 42.6, 21.1 + sent * 1e-6))
        sent += 1
        await asyncio.sleep(max(0.0, start + sent * interval - time.perf_counter()))
    await asyncio.sleep(2.0)
    cpu = (gw.cpu() - cpu0) / (time.perf_counter() - start)
    for task in tasks:
        task.cancel()
    for _, w in conns:
        w.close()
    writer.close()
    stop.set()
    others.join(30)
    samples.sort()
    if not samples:
        return {"sent": sent, "samples": 0}
    return {
        "sent": sent,
        "samples": len(samples),
        "expected": sent * timers,
        "p50_ms": 1000 * statistics.median(samples),
        "p99_ms": 1000 * samples[int(0.99 * (len(samples) - 1))],
        "max_ms": 1000 * samples[-1],
        "cpu_cores": cpu,
    }


async def connections(gw: Gateway, count: int, idle_s: float) -> dict[str, Any]:
    """Open ``count`` connections; each must be greeted (accepted and its user known); then
    the gateway's CPU over ``idle_s`` seconds with all of them open and silent."""
    opened = []
    for i in range(count):
        opened.append(await asyncio.open_connection("127.0.0.1", gw.port))
        if i % 200 == 199:
            await asyncio.sleep(0.05)

    async def greeted(reader: asyncio.StreamReader) -> bool:
        try:
            data = await asyncio.wait_for(reader.readuntil(b"</event>"), 30)
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            return False
        return b"t-x-takp-v" in data

    ok = sum(await asyncio.gather(*(greeted(r) for r, _ in opened)))
    drains = [asyncio.create_task(drain(r, [0])) for r, _ in opened]
    settle = await asyncio.to_thread(quiesce, gw, 300.0)  # each was sent the picture

    cpu0, t0 = gw.cpu(), time.perf_counter()
    await asyncio.sleep(idle_s)
    idle = (gw.cpu() - cpu0) / (time.perf_counter() - t0)
    for task in drains:
        task.cancel()
    for _, writer in opened:
        writer.close()
    return {"opened": count, "greeted": ok, "idle_cpu_percent": 100 * idle, "settle_s": settle}


async def relay(port: int, messages: int, devices: int, limit_s: float) -> dict[str, Any]:
    """The same load for PeaceWatch and FreeTAKServer: one device sends ``messages`` SA of
    ``devices`` devices, one event per write 1 ms apart (at most 1,000/s: FreeTAKServer
    disconnects a client whose read ends mid-event, so events are not sent in bursts);
    another device, which announced itself first, counts what is relayed to it. The rate is
    events received per second from the first send to the last receipt (at most ``limit_s``
    seconds)."""
    reader, receiver = await asyncio.open_connection("127.0.0.1", port)
    receiver.write(sa("RECEIVER-1", time.time(), 42.0, 21.0))
    await receiver.drain()
    _, sender = await asyncio.open_connection("127.0.0.1", port)
    now = time.time()
    for i in range(devices):  # each device's first position (units, FTS's client table)
        sender.write(sa(f"BENCH-{i}", now, 42.5, 21.0))
        await sender.drain()
        await asyncio.sleep(0.01)
    await asyncio.sleep(3.0)
    count, last, start = 0, 0.0, 0.0

    async def receive() -> None:
        nonlocal count, last
        buffer = b""
        while data := await reader.read(1 << 16):
            buffer += data
            *events, buffer = buffer.split(b"</event>")
            fresh = sum(1 for e in events if b"RELAY-" in e)
            if fresh:
                count += fresh
                last = time.perf_counter()

    task = asyncio.create_task(receive())
    batch = [
        sa(f"RELAY-{i % devices}", now + i * 1e-3, 42.5 + i * 1e-6, 21.0) for i in range(messages)
    ]
    start = time.perf_counter()
    for i, event in enumerate(batch):
        sender.write(event)
        await sender.drain()
        await asyncio.sleep(max(0.0, start + (i + 1) * 1e-3 - time.perf_counter()))
    sent_s = time.perf_counter() - start
    while count < messages and time.perf_counter() - start < limit_s:
        before = count
        await asyncio.sleep(2.0)
        if count == before and count and time.perf_counter() - last > 10:
            break  # nothing more is coming
    task.cancel()
    sender.close()
    receiver.close()
    elapsed = (last - start) if count else limit_s
    return {
        "sent": messages,
        "send_seconds": sent_s,
        "received": count,
        "seconds": elapsed,
        "rate": count / elapsed if elapsed > 0 else 0.0,
    }


FTS_PACKAGES = ["FreeTAKServer==2.2.1", "opentelemetry-sdk==1.25.0"]
FTS_SCRIPT = """set -e
ip link set lo up
mount -t tmpfs tmpfs /opt
mkdir -p /opt/fts
mount --bind "$ROOTDIR/opt" /opt/fts
mount --bind "$ROOTDIR/log" /var/log
cd "$ROOTDIR"
FTS_FIRST_START=false "$FTSPY" -m FreeTAKServer.controllers.services.FTS -AutoStart True \
  > "$ROOTDIR/fts.out" 2>&1 &
for i in $(seq 1 120); do
  (echo > /dev/tcp/127.0.0.1/8087) 2>/dev/null && break
  sleep 1
done
sleep 5
"$@"
"""


def freetakserver(messages: int, devices: int, limit_s: float) -> dict[str, Any]:
    """The relay load against FreeTAKServer 2.2.1, installed from PyPI in its own virtual
    environment, run in network, mount and PID namespaces with only loopback (it opens a
    socket towards a public address at import, and writes to /opt/fts and /var/log, which
    are bind-mounted to a temporary folder); all its processes end with the namespace."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    venv = cache / "peacewatch-bench" / "fts-venv"  # outside the work tree: hundreds of MB
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *FTS_PACKAGES], check=True)
    root = Path(tempfile.mkdtemp(prefix="fts-root-"))
    for sub in ("opt", "log"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    inner = [
        sys.executable, str(Path(__file__).resolve()), "--relay-only", "8087",
        "--messages", str(messages), "--devices", str(devices), "--limit", str(limit_s),
    ]  # fmt: skip
    done = subprocess.run(
        ["unshare", "--net", "--mount", "--pid", "--fork", "--mount-proc",
         "--propagation", "private", "bash", "-c", FTS_SCRIPT, "fts", *inner],
        env={**os.environ, "ROOTDIR": str(root), "FTSPY": str(python)},
        capture_output=True, text=True, timeout=limit_s + 300, check=False,
    )  # fmt: skip
    shutil.rmtree(root, ignore_errors=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"error": (done.stderr or done.stdout)[-500:]}
    return dict(json.loads(lines[-1]))


def comparison(results: dict[str, Any]) -> list[str]:
    """Table rows comparing the relay load on PeaceWatch and FreeTAKServer."""
    pw, fts = results.get("relay"), results.get("fts")
    if pw is None:
        return []
    rows = [
        f"| same relay load, PeaceWatch ({pw['sent']:,} SA from 10 devices, 1 receiving device) "
        f"| **{pw['rate']:,.0f} events/s relayed** ({pw['received']:,} received in "
        f"{pw['seconds']:.1f} s) | |"
    ]
    if fts is None:
        rows.append("| same relay load, FreeTAKServer 2.2.1 | not run (`--no-fts`) | |")
    elif "error" in fts:
        rows.append(f"| same relay load, FreeTAKServer 2.2.1 | failed: {fts['error'][-120:]!r} | |")
    else:
        ratio = pw["rate"] / fts["rate"] if fts["rate"] else float("inf")
        rows.append(
            f"| same relay load, FreeTAKServer 2.2.1 (own venv, `unshare` with loopback only) | "
            f"**{fts['rate']:,.1f} events/s relayed** ({fts['received']:,} of {fts['sent']:,} "
            f"received in {fts['seconds']:.1f} s) | PeaceWatch / FreeTAKServer: "
            f"**{ratio:,.0f}×** |"
        )
    return rows


def write_section(output: Path, results: dict[str, Any], args: argparse.Namespace) -> None:
    """Append the results to BENCHMARKS.md."""
    t, lat, con = results["throughput"], results["latency"], results["connections"]
    nan = float("nan")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    target = "met" if t["rate"] >= 20_000 else "missed"
    lines = [
        f"\n## {stamp} — TAK gateway\n",
        f"{machine()}\n",
        "`peacewatch tak serve` in its own process (compliance and fusion attached, SQLite "
        "`synchronous=FULL`), plain TCP, XML; the devices are bench/tak.py in another process "
        "on the same 2 cores.\n",
        "| measure | result | target |",
        "|---|---:|---|",
        f"| sustained positions stored, rebroadcast on ({t['messages']:,} SA from "
        f"{args.devices} devices over 4 connections, 1 receiving device) | "
        f"**{t['rate']:,.0f}/s** ({t['stored']:,} in {t['seconds']:.1f} s; gateway "
        f"{t['cpu_cores']:.2f} cores, {t['rate_per_core']:,.0f} per CPU-second) | "
        f"≥ 20,000/s on one core: {target} |",
        f"| send → rebroadcast with {args.clients} connected clients ({lat.get('sent', 0)} SA at "
        f"{args.rate:.0f}/s, {lat.get('samples', 0)} of {lat.get('expected', 0)} receipts timed) "
        f"| p50 {lat.get('p50_ms', nan):.1f} ms, **p99 {lat.get('p99_ms', nan):.1f} ms**, "
        f"max {lat.get('max_ms', nan):.1f} ms; gateway {lat.get('cpu_cores', nan):.2f} cores "
        f"| p99 ≤ 100 ms: "
        f"{'met' if lat.get('p99_ms', 1e9) <= 100 else 'missed'} |",
        f"| concurrent connections held (greeted with `t-x-takp-v`, then each sent the "
        f"picture: {con['settle_s']:.0f} s) | "
        f"**{con['greeted']:,} of {con['opened']:,}** | 2,000: "
        f"{'met' if con['greeted'] >= 2000 else 'missed'} |",
        f"| gateway CPU while idle with {con['opened']:,} connections open | "
        f"**{con['idle_cpu_percent']:.2f}%** of a core | ≤ 1%: "
        f"{'met' if con['idle_cpu_percent'] <= 1 else 'missed'} |",
        *comparison(results),
        "",
        f"Load average at the start: {results['load']}. Latency is from the device's send to "
        "another device's receipt, both in the bench process, so it includes that process's "
        "own scheduling on the shared cores.",
        "",
        "",
    ]
    with output.open("a") as f:
        f.write("\n".join(lines))


def main() -> None:
    """Run the benchmark and append its section to BENCHMARKS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--devices", type=int, default=500)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rate", type=float, default=50.0, help="SA/s in the latency run")
    parser.add_argument("--seconds", type=float, default=20.0, help="latency run length")
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--idle", type=float, default=20.0, help="idle CPU window, seconds")
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    parser.add_argument("--relay-messages", type=int, default=3000, help="SA in the comparison")
    parser.add_argument("--limit", type=float, default=120.0, help="comparison time limit, s")
    parser.add_argument("--no-fts", action="store_true", help="skip FreeTAKServer")
    parser.add_argument("--relay-only", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.relay_only is not None:  # inside FreeTAKServer's namespace
        print(json.dumps(asyncio.run(relay(args.relay_only, args.messages, args.devices,
                                           args.limit))))  # fmt: skip
        return
    db = ROOT / "var" / "bench" / "tak.db"
    store = prepare(db)
    gw = Gateway(db)
    try:
        results: dict[str, Any] = {"load": " ".join(f"{x:.1f}" for x in os.getloadavg())}
        results["throughput"] = asyncio.run(throughput(gw, store, args.messages, args.devices))
        results["throughput"]["catch_up_s"] = quiesce(gw)
        results["latency"] = asyncio.run(latency(gw, args.clients, args.rate, args.seconds))
        quiesce(gw)
        results["connections"] = asyncio.run(connections(gw, args.connections, args.idle))
        quiesce(gw)
        results["relay"] = asyncio.run(relay(gw.port, args.relay_messages, 10, args.limit))
    finally:
        gw.stop()
        store.dispose()
    if not args.no_fts:
        results["fts"] = freetakserver(args.relay_messages, 10, args.limit)
    print(json.dumps(results, indent=2))
    write_section(Path(args.output), results, args)
    write_results(results, args)


def write_results(results: dict[str, Any], args: argparse.Namespace) -> None:
    """docs/benchmark-results/tak.json (bench/results.py), with FreeTAKServer side by side."""
    from results import RESULTS, figure, peer, write_result  # bench/results.py, beside this

    t, lat, con = results["throughput"], results["latency"], results["connections"]
    p99 = lat.get("p99_ms")
    figures = [
        figure("sustained positions stored, rebroadcast on", t["rate"], "/s",
               target="≥ 20,000/s on one core", met=t["rate"] >= 20_000,
               detail=f"{t['messages']:,} SA from {args.devices} devices; gateway "
               f"{t['cpu_cores']:.2f} cores, {t['rate_per_core']:,.0f} per CPU-second"),
        figure(f"send → rebroadcast p99 with {args.clients} connected clients", p99, "ms",
               target="≤ 100 ms", met=p99 is not None and p99 <= 100,
               detail=f"p50 {lat.get('p50_ms', float('nan')):.1f} ms, "
               f"{lat.get('samples', 0)} of {lat.get('expected', 0)} receipts timed"),
        figure("concurrent connections held", con["greeted"], "", target="2,000",
               met=con["greeted"] >= 2000, detail=f"of {con['opened']:,} opened"),
        figure(f"gateway CPU while idle with {con['opened']:,} connections",
               con["idle_cpu_percent"], "%", target="≤ 1%", met=con["idle_cpu_percent"] <= 1),
    ]  # fmt: skip
    peers = []
    pw, fts = results.get("relay"), results.get("fts")
    if pw is not None:
        figures.append(
            figure("relay load (one sender, one receiver), PeaceWatch", pw["rate"], "events/s",
                   detail=f"{pw['received']:,} of {pw['sent']:,} received")
        )  # fmt: skip
        if fts is not None and "error" not in fts:
            peers.append(
                peer("events relayed per second, same relay load", "events/s",
                     ours=("PeaceWatch", pw["rate"]), theirs=("FreeTAKServer 2.2.1", fts["rate"]),
                     note=f"FreeTAKServer relayed {fts['received']:,} of {fts['sent']:,}")
            )  # fmt: skip
    previous = RESULTS / "tak.json"
    if fts is None and previous.is_file():  # --no-fts: the last comparison stands, dated
        last = json.loads(previous.read_text())
        for p in last.get("peers", []):
            when = last["date"][:16].replace("T", " ")
            if "(from the run of" not in p.get("note", ""):
                p["note"] = f"{p.get('note', '')} (from the run of {when} UTC)".strip()
            peers.append(p)
    write_result(
        "tak",
        figures,
        title="TAK gateway",
        setup="`peacewatch tak serve` in its own process (compliance and fusion attached, SQLite "
        "`synchronous=FULL`), plain TCP, XML; the devices are bench/tak.py in another process "
        f"on the same cores (load average at the start: {results['load']}). FreeTAKServer "
        "2.2.1 in its own venv, in namespaces with loopback only."
        + (" FreeTAKServer not run (`--no-fts`)." if fts is None else ""),
        peers=peers,
        notes=f"FreeTAKServer failed: {fts['error'][-200:]}" if fts and "error" in fts else "",
    )


if __name__ == "__main__":
    main()
