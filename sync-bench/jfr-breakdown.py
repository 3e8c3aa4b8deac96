#!/usr/bin/env python3
"""Where a Tandem server's Java CPU samples go, by stage of a push, from a Flight Recording.

    java -XX:StartFlightRecording=filename=tandem.jfr,settings=profile -jar tandem-server.jar ...
    python3 sync-bench/jfr-breakdown.py tandem.jfr

Each execution sample is put in the first stage (top to bottom of this list) whose method appears in its stack, so
the stages add up to 100 % of the samples. Kernel time (system calls, loopback TCP) is not sampled by JFR: compare
utime and stime of the process (/proc/PID/stat) for that.
"""
import collections
import re
import subprocess
import sys

# (stage, methods that mark it): checked in this order, the first match wins
STAGES = [
    ("send a frame (Jetty write path, UTF-8 encode, syscall)", ["Outbox.sendFrame", "WebSocketSession.sendText"]),
    ("build batched frames", ["Outbox.flush", "Outbox.flushShared", "Outbox.flushDueWindows"]),
    ("encode messages", ["ProtocolCodec.encode", "MessageEncoder."]),
    ("decode a push (JSON parse, frozen tree)", ["MessageDecoder.", "ProtocolCodec.decodeClient", "PushDiffReader."]),
    ("apply and validate a push", ["PushApplier.", "RecordChecks.", "Validators", "ObjectDiff."]),
    ("commit, store, broadcast bookkeeping", ["RoomDocument.", "RoomPersistence.", "InMemoryRoomStore.", "Change."]),
    ("other room work on the lane", ["SerialLane.", "SyncRoom.", "Sessions."]),
    ("receive a frame (Jetty read, parse, UTF-8 decode)", ["WebSocketConnection.onFillable", "fillAndParse",
                                                           "WebSocketConnection.onWebSocketPartialText"]),
    ("Jetty selector and thread pool", ["ManagedSelector", "QueuedThreadPool", "AdaptiveExecutionStrategy"]),
]


def main(path):
    text = subprocess.run(
        ["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "96", path],
        check=True, capture_output=True, text=True).stdout
    counts = collections.Counter()
    total = 0
    for event in text.split("jdk.ExecutionSample")[1:]:
        frames = re.findall(r"^\s+([\w$.<>]+)\(", event, re.M)
        if not frames:
            continue
        total += 1
        short = [".".join(f.split(".")[-2:]) for f in frames]
        stage = "other"
        for name, marks in STAGES:
            if any(m in f for f in short for m in marks):
                stage = name
                break
        counts[stage] += 1
    print(f"{total} execution samples")
    for stage, n in counts.most_common():
        print(f"{100.0 * n / total:5.1f} %  {stage}")


if __name__ == "__main__":
    main(sys.argv[1])
