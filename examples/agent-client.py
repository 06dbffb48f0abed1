#!/usr/bin/env python3
"""A minimal opsline agent client, written from docs/agent.md alone (pyzmq with CURVE).

Usage: agent-client.py ENDPOINT AGENT_PUBLIC_KEY CLIENT_KEY_FILE [IMAGE DRIVE]

Says hello, lists images and drives, and, given an image and a drive, burns it and prints the
progress and the result. CLIENT_KEY_FILE is a `<name>.key` file written by `opsline keys`.
Exit status: 0 when everything answered (and the burn, if any, ended ok), 1 otherwise.
"""
import json
import re
import sys
import uuid

import zmq

HEARTBEAT = {"v": 1, "op": "heartbeat"}


def read_key_file(path):
    """`<name>.key` is YAML with `public: "<z85>"` and `secret: "<z85>"` lines (docs/agent.md)."""
    keys = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r'^(public|secret):\s*"(.{40})"\s*$', line)
            if m:
                keys[m.group(1)] = m.group(2)
    return keys["public"], keys["secret"]


class Agent:
    def __init__(self, endpoint, server_key, public, secret):
        self.sock = zmq.Context.instance().socket(zmq.DEALER)
        self.sock.curve_serverkey = server_key.encode()
        self.sock.curve_publickey = public.encode()
        self.sock.curve_secretkey = secret.encode()
        # A fixed routing id, so job events follow us across reconnects.
        self.sock.routing_id = ("py-" + uuid.uuid4().hex[:12]).encode()
        self.sock.linger = 0
        self.sock.connect(endpoint)
        self.heartbeat_ms = 2000
        self.seq = 0
        self.events = []  # job events that arrived while waiting for an answer

    def send(self, msg):
        # One frame, UTF-8 JSON, no delimiter frame.
        self.sock.send(json.dumps(msg).encode("utf-8"))

    def receive(self, timeout_ms):
        if not self.sock.poll(timeout_ms):
            raise TimeoutError("no message from the agent")
        return json.loads(self.sock.recv().decode("utf-8"))

    def request(self, op, timeout_ms=10000, **fields):
        """Sends a request and returns its answer (`reply`, `accepted`); raises on `error`."""
        self.seq += 1
        rid = str(self.seq)
        self.send({"v": 1, "id": rid, "op": op, **fields})
        while True:
            m = self.receive(timeout_ms)
            if m.get("v") != 1:
                continue
            if m["op"] == "heartbeat":
                continue
            if m.get("id") == rid and m["op"] in ("reply", "accepted"):
                return m
            if m.get("id") == rid and m["op"] == "error":
                raise RuntimeError(f"{op}: {m['code']}: {m['message']}")
            if "jobId" in m:
                self.events.append(m)

    def job_events(self, job_id):
        """Yields the job's events until its `done`, heartbeating as the agent expects."""
        while True:
            while self.events:
                m = self.events.pop(0)
                if m.get("jobId") == job_id:
                    yield m
                    if m["op"] == "done":
                        return
            try:
                self.events.append(self.receive(self.heartbeat_ms))
            except TimeoutError:
                pass
            self.send(HEARTBEAT)


def main(argv):
    if len(argv) not in (4, 6):
        print(__doc__, file=sys.stderr)
        return 2
    endpoint, server_key, key_file = argv[1:4]
    public, secret = read_key_file(key_file)
    agent = Agent(endpoint, server_key, public, secret)
    agent.send(HEARTBEAT)

    hello = agent.request("hello")["data"]
    agent.heartbeat_ms = hello["heartbeatMs"]
    print(f"hello: agent {hello['agent']}, protocol v{hello['v']}, {hello['drives']} drive(s)")
    for img in agent.request("images")["data"]:
        print(f"image: {img['name']} {img['size']} bytes, volume {img['volumeId']!r}")
    for d in agent.request("drives")["data"]:
        print(f"drive: {d['name']} ({d['kind']}){' busy with ' + d['busyWith'] if 'busyWith' in d else ''}")
    if len(argv) == 4:
        return 0

    image, drive = argv[4:6]
    job_id = "py-" + uuid.uuid4().hex[:12]
    accepted = agent.request("burn", jobId=job_id, image=image, drive=drive, verify=True, eject=True)
    print(f"accepted: job {accepted['jobId']} attached={accepted['attached']}")
    result = None
    for ev in agent.job_events(job_id):
        if ev["op"] == "progress":
            print(f"progress: {ev['phase']} {ev['bytes']}/{ev['total']} bytes at {ev['rate']} B/s")
        elif ev["op"] == "log":
            print(f"log: {ev['line']}")
        elif ev["op"] == "done":
            result = ev["result"]
    print(f"done: {result['outcome']} ({result['message']}), {result['startedAt']} → {result['finishedAt']}")
    # Re-attach semantics: the same jobId again never burns twice; it answers with the result.
    again = agent.request("burn", jobId=job_id, image=image, drive=drive)
    print(f"again: attached={again['attached']}")
    status = agent.request("status", jobId=job_id)["data"]
    print(f"status: {status['state']} {status['result']['outcome']}")
    return 0 if result["ok"] and again["attached"] and status["state"] == "finished" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
