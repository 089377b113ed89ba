"""A TCP proxy that can be cut: how `voxloop cluster` and its benchmark take PostgreSQL away
from the application without restarting the machine's server (which others share).

    python -m voxloop.cli.tcp_proxy --listen 127.0.0.1:6432 --target 127.0.0.1:5432

SIGUSR1 cuts: every open connection is aborted (a reset, as when the server dies) and new ones
are accepted and closed at once, so clients fail fast rather than hang. SIGUSR2 restores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


class Proxy:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.cut = False
        self.open: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut:
            writer.transport.abort()
            return
        try:
            upstream_reader, upstream = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        pair = (writer, upstream)
        self.open.add(pair)
        try:
            await asyncio.gather(self._pipe(reader, upstream), self._pipe(upstream_reader, writer))
        finally:
            self.open.discard(pair)

    @staticmethod
    async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                sink.close()

    def set_cut(self, cut: bool) -> None:
        self.cut = cut
        print("cut" if cut else "restored", flush=True)
        if cut:
            for client, upstream in list(self.open):
                client.transport.abort()
                upstream.transport.abort()
            self.open.clear()


async def serve(listen: tuple[str, int], target: tuple[str, int]) -> None:
    proxy = Proxy(target)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, proxy.set_cut, True)
    loop.add_signal_handler(signal.SIGUSR2, proxy.set_cut, False)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    server = await asyncio.start_server(proxy.handle, *listen, reuse_address=True)
    print(f"proxy {listen[0]}:{listen[1]} -> {target[0]}:{target[1]}", flush=True)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True)
    parser.add_argument("--target", required=True)
    args = parser.parse_args(argv)
    asyncio.run(serve(_address(args.listen), _address(args.target)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
