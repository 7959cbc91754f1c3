#!/usr/bin/env python3
"""Drives a running Rewind server with libzmq (pyzmq), as the original Rewind and GoRewind
clients would, and checks every reply byte for byte against ../shared/PROTOCOLS.md.

Usage: legacy_clients.py COMMAND_ENDPOINT STREAM_ENDPOINT LEGACY_STREAM_ENDPOINT MAX_EVENT_SIZE
Prints one "OK <check>" line per check passed; exits 1 with "FAIL <reason>" on the first failure.
Every receive has a timeout and every loop a bound, so it always ends on its own.
"""
import sys
import time
import uuid

import zmq

TIMEOUT_MS = 10000


def fail(reason):
    print("FAIL " + reason, flush=True)
    sys.exit(1)


def expect(condition, reason):
    if not condition:
        fail(reason)


def recv(socket, what):
    if not socket.poll(TIMEOUT_MS):
        fail("no reply to " + what + " within %d ms" % TIMEOUT_MS)
    return socket.recv_multipart()


def is_event_id(frame):
    try:
        text = frame.decode("ascii")
        return len(text) == 36 and str(uuid.UUID(text)) == text
    except (UnicodeDecodeError, ValueError):
        return False


def gorewind_publish(dealer, stream, data):
    dealer.send_multipart([b"", b"PUBLISH", stream, data])
    reply = recv(dealer, "GoRewind PUBLISH")
    expect(len(reply) == 2 and reply[0] == b"PUBLISHED" and is_event_id(reply[1]),
           "GoRewind PUBLISH reply is not [PUBLISHED, id]: %r" % (reply,))
    return reply[1]


def gorewind_query(dealer, stream, since=b"", until=b""):
    dealer.send_multipart([b"", b"QUERY", stream, since, until])
    events = []
    for _ in range(100000):
        reply = recv(dealer, "GoRewind QUERY")
        if reply == [b"END"]:
            return events
        expect(len(reply) == 3 and reply[0] == b"EVENT", "GoRewind QUERY reply is not [EVENT, id, data]: %r" % (reply,))
        events.append((reply[1], reply[2]))
    fail("GoRewind QUERY never ended")


def rewind_query_all(req):
    """Pages through the whole store with the Rewind dialect: 100 events per reply, END on the last."""
    events = []
    since = b""
    for _ in range(100000):
        req.send_multipart([b"QUERY", since, b""])
        reply = recv(req, "Rewind QUERY")
        ended = len(reply) % 2 == 1
        if ended:
            expect(reply[-1] == b"END", "odd-length Rewind QUERY reply without END: %r" % (reply[-3:],))
            reply = reply[:-1]
        else:
            expect(len(reply) == 200, "a Rewind QUERY reply without END must carry exactly 100 events, had %d frames" % len(reply))
        for i in range(0, len(reply), 2):
            events.append((reply[i], reply[i + 1]))
        if ended:
            return events
        since = events[-1][0]
    fail("Rewind QUERY paging never ended")


def subscribe(context, endpoint, prefix):
    sub = context.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt(zmq.SUBSCRIBE, prefix)
    sub.connect(endpoint)
    return sub


def await_subscription(sub, dealer, stream, other_subs):
    """PUB/SUB joins late: publish probe events until this SUB sees one (bounded)."""
    for _ in range(200):
        gorewind_publish(dealer, stream, b"probe")
        if sub.poll(100):
            sub.recv_multipart()
            for other in other_subs:
                while other.poll(200):
                    other.recv_multipart()
            while sub.poll(200):
                sub.recv_multipart()
            return
    fail("SUB socket never received a probe event on " + stream.decode())


def main():
    command, stream_endpoint, legacy_endpoint = sys.argv[1:4]
    max_event_size = int(sys.argv[4])
    context = zmq.Context()
    try:
        run(context, command, stream_endpoint, legacy_endpoint)
        bad_input(context, command, max_event_size)
        concurrent_dealers(context, command)
    finally:
        context.destroy(linger=0)


def error_reply(context, command, frames, what):
    """Sends one malformed message from a fresh DEALER; returns the ERROR frame it gets back."""
    dealer = context.socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    dealer.connect(command)
    try:
        dealer.send_multipart([b""] + frames)
        reply = recv(dealer, what)
        if reply and reply[0] == b"":
            reply = reply[1:]  # a new connection is answered the way its message arrived (docs/PROTOCOL.md 1.1)
        expect(len(reply) == 1 and reply[0].startswith(b"ERROR "), "%s: expected one ERROR frame, got %r" % (what, reply[:3]))
        return reply[0]
    finally:
        dealer.close()


def still_serving(dealer, what):
    data = b"after " + what.encode()
    event_id = gorewind_publish(dealer, b"bad-input-check", data)
    expect((event_id, data) in gorewind_query(dealer, b"bad-input-check"), "server stopped serving after " + what)
    return event_id, data


def bad_input(context, command, max_event_size):
    """Each malformed message gets an ERROR reply, and the server keeps serving valid requests."""
    import random
    dealer = context.socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    dealer.connect(command)
    stored = []
    cases = [
        ([b""], b"ERROR Empty command", "an empty command"),
        ([b"FROBNICATE", b"x"], b"ERROR Unknown request type", "an unknown command"),
        ([b"PUBLISH", b"s", b"data", b"extra"], b"ERROR Wrong number of frames for PUBLISH.", "an extra frame"),
        ([b"QUERY"], b"ERROR Wrong number of frames for QUERY.", "a missing frame"),
        ([b"PUBLISH", b"\xff\xfe stream", b"data"], b"ERROR Invalid stream name", "a non-UTF-8 stream name"),
        ([b"PUBLISH", b"s" * 256, b"data"], b"ERROR Invalid stream name", "a 256-byte stream name"),
        ([b"PUBLISH", b"big", b"x" * (max_event_size + 1)], b"ERROR event is", "an event over --max-event-size"),
        ([b"PUBLISH"] + [b"f"] * 9999, b"ERROR", "a message of 10,000 frames"),
    ]
    for frames, prefix, what in cases:
        reply = error_reply(context, command, frames, what)
        expect(reply.startswith(prefix), "%s: expected %r..., got %r" % (what, prefix, reply[:120]))
        stored.append(still_serving(dealer, what))
    rng = random.Random(20261126)
    for i in range(200):
        frames = [bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 40))) for _ in range(rng.randint(1, 6))]
        sock = context.socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(command)
        sock.send_multipart(frames)  # random bytes, no envelope rules respected; a reply is optional
        sock.poll(20)
        sock.close()
    stored.append(still_serving(dealer, "200 random messages"))
    everything = gorewind_query(dealer, b"bad-input-check")
    expect(everything == stored, "events stored around the bad input did not read back intact")
    dealer.close()
    print("OK bad input answered, server kept serving", flush=True)


def concurrent_dealers(context, command):
    """Eight DEALER clients with 50 PUBLISHes each in flight: every reply reaches the client that asked."""
    dealers = []
    for _ in range(8):
        dealer = context.socket(zmq.DEALER)
        dealer.setsockopt(zmq.LINGER, 0)
        dealer.connect(command)
        dealers.append(dealer)
    for c, dealer in enumerate(dealers):
        for i in range(50):
            dealer.send_multipart([b"", b"PUBLISH", b"concurrent-%d" % c, b"client %d event %d" % (c, i)])
    ids = set()
    for c, dealer in enumerate(dealers):
        mine = []
        for _ in range(50):
            reply = recv(dealer, "a pipelined PUBLISH")
            expect(len(reply) == 2 and reply[0] == b"PUBLISHED" and is_event_id(reply[1]), "pipelined reply %r" % (reply,))
            mine.append(reply[1])
        ids.update(mine)
        events = gorewind_query(dealer, b"concurrent-%d" % c)
        expect([data for _, data in events] == [b"client %d event %d" % (c, i) for i in range(50)],
               "client %d's stream lost or reordered events" % c)
        expect([event_id for event_id, _ in events] == mine, "client %d got another client's reply" % c)
        dealer.close()
    expect(len(ids) == 400, "pipelined publishes got %d distinct ids, expected 400" % len(ids))
    print("OK concurrent dealers", flush=True)


def run(context, command, stream_endpoint, legacy_endpoint):
    req = context.socket(zmq.REQ)
    req.setsockopt(zmq.LINGER, 0)
    req.connect(command)
    dealer = context.socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    dealer.connect(command)

    orders_sub = subscribe(context, stream_endpoint, b"orders-")
    legacy_sub = subscribe(context, legacy_endpoint, b"")
    await_subscription(orders_sub, dealer, b"orders-probe", [legacy_sub])
    await_subscription(legacy_sub, dealer, b"legacy-probe", [orders_sub])
    while orders_sub.poll(200):
        orders_sub.recv_multipart()

    # Rewind dialect: PUBLISH replies exactly one frame, PUBLISHED.
    every_byte = bytes(range(256))
    req.send_multipart([b"PUBLISH", every_byte])
    reply = recv(req, "Rewind PUBLISH")
    expect(reply == [b"PUBLISHED"], "Rewind PUBLISH reply is not [PUBLISHED]: %r" % (reply,))
    req.send_multipart([b"PUBLISH", b""])
    expect(recv(req, "Rewind PUBLISH of empty data") == [b"PUBLISHED"], "empty-data PUBLISH")
    print("OK rewind publish", flush=True)

    # GoRewind dialect: PUBLISH to named streams, QUERY a stream with EVENT messages then END.
    first = gorewind_publish(dealer, b"orders-1", b"order one")
    second = gorewind_publish(dealer, b"orders-1", b"order two")
    user = gorewind_publish(dealer, b"users-1", b"user one")
    events = gorewind_query(dealer, b"orders-1")
    expect(events == [(first, b"order one"), (second, b"order two")], "GoRewind QUERY of orders-1: %r" % (events,))
    expect(gorewind_query(dealer, b"orders-1", first, b"") == [(second, b"order two")], "GoRewind QUERY from (exclusive)")
    expect(gorewind_query(dealer, b"no-such-stream") == [], "GoRewind QUERY of an empty stream")
    # Two frames after PUBLISH would be a valid Rewind PUBLISH, so the malformed case is one too many.
    dealer.send_multipart([b"", b"PUBLISH", b"orders-1", b"data", b"extra"])
    reply = recv(dealer, "PUBLISH with an extra frame")
    if reply and reply[0] == b"":
        reply = reply[1:]  # answered in the REQ envelope: a frame count no dialect has cannot be attributed
    expect(len(reply) == 1 and reply[0].startswith(b"ERROR "), "error reply to a malformed PUBLISH: %r" % (reply,))
    dealer.send_multipart([b"", b"QUERY", b"orders-1", str(uuid.uuid4()).encode("ascii"), b""])
    reply = recv(dealer, "GoRewind QUERY from an unknown id")
    expect(len(reply) == 1 and reply[0].startswith(b"ERROR "), "GoRewind error reply: %r" % (reply,))
    print("OK gorewind publish and query", flush=True)

    # The Rewind dialect QUERY sees every stream in global order, paged by 100.
    for i in range(150):
        gorewind_publish(dealer, b"bulk", b"bulk %d" % i)
    everything = rewind_query_all(req)
    ids = [event_id for event_id, _ in everything]
    expect(len(ids) == len(set(ids)), "Rewind QUERY returned an event twice")
    data = [payload for _, payload in everything]
    expect(every_byte in data and b"" in data, "Rewind QUERY lost the binary or the empty event")
    expect(data[-150:] == [b"bulk %d" % i for i in range(150)], "Rewind QUERY order or paging of the bulk events")
    expect((first, b"order one") in everything and (user, b"user one") in everything, "Rewind QUERY spans streams")
    req.send_multipart([b"NONSENSE", b"x"])
    reply = recv(req, "an unknown Rewind request")
    expect(reply == [b"ERROR Unknown request type"], "unknown request reply: %r" % (reply,))
    print("OK rewind query paging", flush=True)

    # The GoRewind PUB socket: [stream, id, data], filtered by stream-name prefix.
    received = []
    for _ in range(2):
        received.append(recv(orders_sub, "the stream PUB socket"))
    expect(received == [[b"orders-1", first, b"order one"], [b"orders-1", second, b"order two"]],
           "stream PUB frames: %r" % (received,))
    expect(not orders_sub.poll(300) or recv(orders_sub, "")[0].startswith(b"orders-"),
           "a SUB to orders- received another stream")
    print("OK stream pub with prefix filter", flush=True)

    # The Rewind legacy PUB socket: [id, previous id, data], in global order, each naming the previous one.
    previous = None
    seen = 0
    for _ in range(len(everything) + 400):
        if not legacy_sub.poll(1000):
            break
        frames = legacy_sub.recv_multipart()
        expect(len(frames) == 3 and is_event_id(frames[0]), "legacy PUB frames: %r" % (frames[:2],))
        if previous is not None:
            expect(frames[1] == previous, "legacy PUB previous id %r, expected %r" % (frames[1], previous))
        previous = frames[0]
        seen += 1
    expect(seen >= 150 and previous == ids[-1], "legacy PUB missed events: saw %d, last %r" % (seen, previous))
    print("OK legacy pub chain", flush=True)


if __name__ == "__main__":
    main()
