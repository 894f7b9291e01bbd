#!/usr/bin/env python3
"""Where the wall time of a run of many calls in flight goes, from `perf script` of the
tracepoints bench/run.sh records (the client's execve's return, connect, sendto, recvfrom, exit_group):
start-up until the first call's connection opens, the opening of every connection, the first
round's last request, each connection's period (request to next request: the server's time plus
the client's) and turnaround (answer to next request: the client's alone), and the time after
the last answer. Usage: perf script -F tid,time,event,trace | timeline.py NAME
"""
import statistics
import sys


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else ""
    events = []  # (time s, event, fd)
    for line in sys.stdin:
        parts = line.replace(",", " ").split()
        if len(parts) < 3:
            continue
        t = float(parts[1].rstrip(":"))
        event = parts[2].rstrip(":").split(":")[-1].replace("sys_enter_", "").replace("sys_exit_", "")
        fd = int(parts[4], 16) if len(parts) > 4 and parts[3] == "fd:" else -1
        events.append((t, event, fd))
    if not events:
        print(f"{name}: no events (perf could not trace)")
        return
    t0 = next((t for t, e, _ in events if e == "execve"), events[0][0])
    connects = [t for t, e, _ in events if e == "connect"]
    sends = [t for t, e, _ in events if e == "sendto"]
    answers = []
    exit_at = next((t for t, e, _ in events if e == "exit_group"), events[-1][0])
    last_send, last_answer, periods, turns, sends_on = {}, {}, [], [], {}
    for t, e, fd in events:
        if e == "connect":  # a new connection on this descriptor: nothing carries over
            last_send.pop(fd, None)
            last_answer.pop(fd, None)
        elif e == "sendto":
            sends_on[fd] = sends_on.get(fd, 0) + 1
            if fd in last_send:
                periods.append(t - last_send[fd])
            if fd in last_answer:
                turns.append(t - last_answer.pop(fd))
            last_send[fd] = t
        elif e == "recvfrom" and fd in last_send and fd not in last_answer:
            last_answer[fd] = t  # the first read after a request: its answer is in
            answers.append(t)
    if len(connects) < 2 or not periods or not answers:
        print(f"{name}: too few events to read")
        return
    ms = lambda s: s * 1e3
    # A client that checks its server first (evalrun's GET /models) opens a connection before
    # the calls' own: those are the last connections, one for each descriptor sent on twice.
    reused = sum(1 for n in sends_on.values() if n > 1)
    calls_conns = connects[-reused:] if 0 < reused <= len(connects) else connects
    first_round = sorted(sends)[min(len(sends), len(connects)) - 1]
    print(
        f"{name}: start-up {ms(calls_conns[0] - t0):.0f} ms, {len(calls_conns)} connections opened"
        f" in {ms(calls_conns[-1] - calls_conns[0]):.0f} ms, first round sent by"
        f" {ms(first_round - t0):.0f} ms; per connection: period {ms(statistics.mean(periods)):.1f} ms"
        f" (p90 {ms(sorted(periods)[int(0.9 * (len(periods) - 1))]):.1f}), of which the client's"
        f" turnaround {ms(statistics.mean(turns)):.2f} ms; last answer to exit"
        f" {ms(exit_at - max(answers)):.0f} ms; exit at {ms(exit_at - t0):.0f} ms")


if __name__ == "__main__":
    main()
