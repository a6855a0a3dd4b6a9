#!/usr/bin/env python3
"""relay.py DELAY_MS LISTEN_IP:PORT=TARGET_IP:PORT ... — add latency without netem.

The CI kernel has no sch_netem, so the `latency` fault DNATs TCP 443 of each
endpoint address to LISTEN_IP:PORT (same address, another port) where this relay
forwards to the real server. Each chunk is held DELAY_MS/2 in each direction, so
every request/response round trip grows by DELAY_MS; the queue keeps order and
lets chunks overlap (a pipeline, not a stop-and-wait). TCP connect itself is not
delayed (the relay's kernel answers the SYN). Runs in the aws namespace; stopped
by PID by lab.sh.
"""
import asyncio
import sys

DELAY = int(sys.argv[1]) / 2000.0  # seconds, one way


async def pump(reader, writer):
    loop = asyncio.get_running_loop()
    q: asyncio.Queue = asyncio.Queue()

    async def sender():
        while True:
            due, data = await q.get()
            if data is None:
                break
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        try:
            writer.write_eof()
        except OSError:
            pass

    task = asyncio.create_task(sender())
    try:
        while data := await reader.read(65536):
            await q.put((loop.time() + DELAY, data))
    except OSError:
        pass
    await q.put((0, None))
    try:
        await task
    except OSError:
        pass


def handler(target):
    host, port = target

    async def handle(cr, cw):
        try:
            ur, uw = await asyncio.open_connection(host, port)
        except OSError:
            cw.close()
            return
        await asyncio.gather(pump(cr, uw), pump(ur, cw), return_exceptions=True)
        for w in (cw, uw):
            w.close()

    return handle


async def main():
    servers = []
    for spec in sys.argv[2:]:
        listen, target = spec.split("=")
        lh, lp = listen.rsplit(":", 1)
        th, tp = target.rsplit(":", 1)
        servers.append(await asyncio.start_server(handler((th, int(tp))), lh, int(lp)))
    await asyncio.gather(*(s.serve_forever() for s in servers))


asyncio.run(main())
