"""Start the emulator: ``python -m tests.emulator --fixture default --port 0 --entra-port 0
[--powerplatform-port 0] --info-file PATH [--state-dir DIR] [--log-file FILE]`` (run from the
repository root).

Binds the three HTTPS ports (CIPP, Entra ID, Power Platform API; 0 = any free port) on 127.0.0.1, generates this run's CA, server
certificate and client credential files into the state directory, starts serving, and only
then writes the info file (atomically): its appearance means "ready". Runs until SIGTERM
or SIGINT, then stops the servers and exits 0, leaving the state directory in place.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from .control import ControlPlane
from .faults import FaultSet
from .info import Runtime, build_info, write_client_files, write_info
from .reqlog import RequestLog
from .server import Emulator
from .tls import create_tls_files, server_context
from .world import World

log = logging.getLogger("cipp_emulator")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--fixture", default="default", help="fixture folder under tests/emulator/fixtures")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback only, by design)")
    parser.add_argument("--port", type=int, default=0, help="CIPP (and control) port; 0 = any free port")
    parser.add_argument("--entra-port", type=int, default=0, help="Entra ID port; 0 = any free port")
    parser.add_argument("--powerplatform-port", type=int, default=0,
                        help="Power Platform API port; 0 = any free port")
    parser.add_argument("--info-file", type=Path, help="where to write the info JSON (default <state>/info.json)")
    parser.add_argument("--state-dir", type=Path, help="for CA, keys, PFX, assertion, log (default: a new temp dir)")
    parser.add_argument("--log-file", type=Path, help="emulator log (default <state>/emulator.log)")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING"])
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    state_dir = (args.state_dir or Path(tempfile.mkdtemp(prefix="cipp-emulator-"))).resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    log_file = (args.log_file or state_dir / "emulator.log").resolve()
    info_file = (args.info_file or state_dir / "info.json").resolve()
    _configure_logging(log_file, args.log_level)

    world = World(args.fixture)
    tls_files = create_tls_files(state_dir)
    reqlog, faults = RequestLog(), FaultSet()
    emulator = Emulator(world, server_context(tls_files), reqlog, faults,
                        host=args.host, cipp_port=args.port, entra_port=args.entra_port,
                        powerplatform_port=args.powerplatform_port)
    runtime = Runtime(pid=os.getpid(), state_dir=state_dir, ca_file=tls_files.ca_file,
                      log_file=log_file, info_file=info_file)
    write_client_files(world, runtime)
    emulator.attach_control(ControlPlane(world, reqlog, faults, runtime))

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    emulator.start()
    write_info(build_info(world, runtime), info_file)
    log.info("emulator ready in %.2fs: cipp %s entra %s powerplatform %s info %s", time.perf_counter() - started,
             world.cipp_url, world.entra_url, world.powerplatform_url, info_file)
    while not stop.wait(0.5):
        pass
    log.info("emulator stopping (signal)")
    emulator.stop()
    logging.shutdown()
    return 0


def _configure_logging(log_file: Path, level: str) -> None:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(level)
    log.propagate = False


if __name__ == "__main__":
    sys.exit(main())
