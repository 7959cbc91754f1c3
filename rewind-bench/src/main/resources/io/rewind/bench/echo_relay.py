# The libzmq relay of `rewind bench echo --libzmq` (through Debian's python3-zmq): the same
# protocol as the JeroMQ relay (EchoRelay.java). A DEALER that sends the one frame SUB becomes the
# subscriber (answered OK), one that sends PUB is answered OK; every other message [sender, frames...] is forwarded to it. Prints
# "relay ENDPOINT" once bound; ends when standard input closes.
import sys
import threading

import zmq

context = zmq.Context(1)
router = context.socket(zmq.ROUTER)
router.setsockopt(zmq.LINGER, 0)
router.setsockopt(zmq.RCVHWM, 0)
router.setsockopt(zmq.SNDHWM, 0)
router.bind(sys.argv[1] if len(sys.argv) > 1 else "tcp://127.0.0.1:*")
print("relay " + router.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)

stopped = threading.Event()


def await_end_of_input():
    sys.stdin.buffer.read()
    stopped.set()


threading.Thread(target=await_end_of_input, daemon=True).start()
poller = zmq.Poller()
poller.register(router, zmq.POLLIN)
subscriber = None
while not stopped.is_set():
    if not poller.poll(100):
        continue
    while True:
        try:
            frames = router.recv_multipart(zmq.NOBLOCK)
        except zmq.Again:
            break
        sender, body = frames[0], frames[1:]
        if body == [b"SUB"]:
            subscriber = sender
            router.send_multipart([sender, b"OK"])
        elif body == [b"PUB"]:
            router.send_multipart([sender, b"OK"])
        elif subscriber is not None:
            router.send_multipart([subscriber] + body)
router.close()
context.term()
