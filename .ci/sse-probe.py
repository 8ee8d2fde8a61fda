#!/usr/bin/env python3
"""Live fan-out from outside the server's process: opens N Server-Sent Events
viewers of issue 1 on a running Laurel (from one asyncio process), adds one
reaction through the REST API, and prints the server's CPU time for delivering
it and the wall time until every viewer had it. Linux only (reads /proc).

    make run &   # or any server started with DEMO_DATA=1
    python3 .ci/sse-probe.py --base http://127.0.0.1:3000 --token "$TOKEN" --viewers 9000
"""
import argparse, asyncio, subprocess, time, urllib.parse, urllib.request

def cpu_ms(pid):
    fields = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 10  # USER_HZ = 100

async def connect(host, port, keep):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b'GET /-/live/Issue/1 HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n')
    await writer.drain()
    await reader.read(8192)  # the snapshot
    keep.append((reader, writer))

async def until_reaction(reader):
    seen = b''
    while b'event: reaction' not in seen:
        chunk = await reader.read(8192)
        if not chunk:
            raise SystemExit('a stream closed before the reaction arrived')
        seen += chunk

async def main(args):
    url = urllib.parse.urlparse(args.base)
    pid = args.pid or int(subprocess.check_output(['pgrep', '-f', 'target/release/server']).split()[0])
    keep = []
    for _ in range(0, args.viewers, 200):
        await asyncio.gather(*[connect(url.hostname, url.port, keep) for _ in range(200)])
    waits = [asyncio.create_task(until_reaction(r)) for r, _ in keep]
    await asyncio.sleep(0.5)
    before = cpu_ms(pid)
    request = urllib.request.Request(f'{args.base}/api/v4/projects/1/issues/1/award_emoji?name={args.emoji}',
                                     method='POST', headers={'PRIVATE-TOKEN': args.token})
    sent = time.time()
    status = urllib.request.urlopen(request).status
    await asyncio.gather(*waits)
    wall, used = time.time() - sent, cpu_ms(pid) - before
    print(f'{len(keep)} viewers; REST answered {status}; all had it after {wall * 1000:.0f} ms; '
          f'server CPU {used} ms ({used * 1000 / len(keep):.0f} µs per viewer)')
    for _, writer in keep:
        writer.close()

parser = argparse.ArgumentParser()
parser.add_argument('--base', default='http://127.0.0.1:3000')
parser.add_argument('--token', required=True)
parser.add_argument('--viewers', type=int, default=9000)
parser.add_argument('--emoji', default='tada')
parser.add_argument('--pid', type=int)
asyncio.run(main(parser.parse_args()))
