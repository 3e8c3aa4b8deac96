#!/usr/bin/env python3
"""Where a Tandem server's CPU samples go, by stage of a push, from a Flight Recording or an async-profiler profile.

    java -XX:StartFlightRecording=filename=tandem.jfr,settings=profile -jar tandem-server.jar ...
    python3 sync-bench/jfr-breakdown.py tandem.jfr

    java -agentpath:/path/to/libasyncProfiler.so=start,event=cpu,interval=1ms,file=tandem.collapsed,collapsed \
        -jar tandem-server.jar ...
    python3 sync-bench/jfr-breakdown.py tandem.collapsed

Each sample is put in the first stage (top to bottom of this list) whose method appears in its stack, so the stages
add up to 100 % of the samples. JFR samples Java code only: compare utime and stime of the process
(/proc/PID/stat) for the kernel's part. async-profiler (its linux-x64 jar is on Maven Central as
tools.profiler:async-profiler) also samples native and kernel frames; for it the kernel's share of each stage is
shown too, and the JIT compiler's and the garbage collector's threads are left out (printed separately), so the
stages describe the steady state.
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


def stage_of(short):
    for name, marks in STAGES:
        if any(m in f for f in short for m in marks):
            return name
    return "other"


def jfr_samples(path):
    text = subprocess.run(
        ["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "96", path],
        check=True, capture_output=True, text=True).stdout
    for event in text.split("jdk.ExecutionSample")[1:]:
        frames = re.findall(r"^\s+([\w$.<>]+)\(", event, re.M)
        if frames:
            yield [".".join(f.split(".")[-2:]) for f in frames], False, 1


def collapsed_samples(path):
    """async-profiler's collapsed stacks: root first, frames split by ';', the count last; kernel frames end _[k]."""
    with open(path) as f:
        for line in f:
            stack, _, count = line.rstrip().rpartition(" ")
            if not stack:
                continue
            frames = stack.split(";")
            yield [fr.split("/")[-1] for fr in frames], any(fr.endswith("_[k]") for fr in frames), int(count)


VM_THREADS = ["CompileBroker", "C2Compiler", "C1Compiler", "G1", "VM_Thread", "WorkerThread::run", "GCTaskThread"]


def main(path):
    collapsed = not path.endswith(".jfr")
    counts = collections.Counter()
    kernel = collections.Counter()
    total = 0
    vm = 0
    for short, in_kernel, n in (collapsed_samples(path) if collapsed else jfr_samples(path)):
        if collapsed and any(m in f for f in short for m in VM_THREADS):
            vm += n
            continue
        total += n
        stage = stage_of(short)
        counts[stage] += n
        if in_kernel:
            kernel[stage] += n
    if collapsed:
        print(f"{total} samples ({vm} more in the JIT compiler and GC threads, left out)")
        for stage, n in counts.most_common():
            print(f"{100.0 * n / total:5.1f} %  (kernel {100.0 * kernel[stage] / total:4.1f} %)  {stage}")
        print(f"{100.0 * sum(kernel.values()) / total:5.1f} %  in the kernel in all")
    else:
        print(f"{total} execution samples")
        for stage, n in counts.most_common():
            print(f"{100.0 * n / total:5.1f} %  {stage}")


if __name__ == "__main__":
    main(sys.argv[1])
