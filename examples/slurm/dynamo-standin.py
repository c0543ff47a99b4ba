#!/usr/bin/env python3
"""A stand-in for `dynamo serve` for demos and tests of the Slurm target (docs/slurm-target.md).

It takes the argv the deployer builds (in=... out=... --flag value ... and, in multi-node groups,
--num-nodes N --node-rank R --leader-addr HOST:PORT), ignores what it does not know, and:
  * with --port N: answers HTTP GET on N (200 "ok"), so the readiness rule of an http component holds;
  * as a multi-node leader (rank 0): listens on the leader port;
  * as a multi-node worker (rank > 0): checks once that the leader's port answers and logs the result,
    so the job log proves the leader was ready before the workers started (exit 3 when it was not);
  * --startup-delay S: waits S seconds before listening (a model that takes time to load);
  * --exit-code N: exits at once with status N (a component that crashes on start).
Every line goes to stdout with a UTC timestamp; Slurm puts it in the job's output file.
"""
import http.server
import socket
import sys
import threading
import time


def log(msg):
    now = time.time()  # milliseconds: the benchmark times steps from these lines
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + ".%03dZ" % (int(now * 1000) % 1000)
    print(stamp, "standin", msg, flush=True)


def parse(argv):
    opts = {}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a.startswith("--"):
            key = a[2:].replace("-", "_")
            if i + 1 < len(argv) and not argv[i + 1].startswith("--"):
                opts[key] = argv[i + 1]
                i += 1
            else:
                opts[key] = True
        i += 1
    return opts


class Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"ok\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(port):
    server = http.server.ThreadingHTTPServer(("0.0.0.0", port), Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    log("listening on port %d" % port)


def main():
    opts = parse(sys.argv[1:])
    rank = int(opts.get("node_rank", 0))
    nodes = int(opts.get("num_nodes", 1))
    host = socket.gethostname()
    log("started rank %d of %d on %s: %s" % (rank, nodes, host, " ".join(sys.argv[1:])))
    if "exit_code" in opts:
        log("exiting at once with status %s" % opts["exit_code"])
        sys.exit(int(opts["exit_code"]))
    if rank > 0:
        leader = opts.get("leader_addr", "")
        lhost, _, lport = leader.rpartition(":")
        try:
            socket.create_connection((lhost, int(lport)), timeout=5).close()
            log("worker rank %d: leader %s answered before this worker started" % (rank, leader))
        except OSError as e:
            log("worker rank %d: leader %s did NOT answer: %s" % (rank, leader, e))
            sys.exit(3)
    delay = float(opts.get("startup_delay", 0))
    if delay > 0:
        log("loading for %.1f s" % delay)
        time.sleep(delay)
    if "port" in opts and rank == 0:
        serve(int(opts["port"]))
    if nodes > 1 and rank == 0:
        serve(int(opts.get("leader_addr", ":29500").rpartition(":")[2]))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
