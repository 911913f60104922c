"""Exit 0 when RabbitMQ accepts an AMQP login and, if asked, its management API answers.

Usage: python3 rabbitmq-check.py HOST PORT USER PASSWORD [MANAGEMENT_PORT]
Speaks just enough AMQP 0-9-1 (start, tune, open of vhost "/") to prove a client can connect;
a port that merely accepts TCP, or a broker that refuses the credentials, fails. Plain Python,
so the check needs nothing a fresh machine lacks.
"""

import base64
import socket
import struct
import sys
import urllib.request


def read_frame(sock):
    header = read_exact(sock, 7)
    frame_type, channel, size = struct.unpack(">BHI", header)
    payload = read_exact(sock, size)
    if read_exact(sock, 1) != b"\xce":
        raise ValueError("bad frame end")
    return frame_type, channel, payload


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("connection closed by the broker")
        data += chunk
    return data


def method(payload):
    return struct.unpack(">HH", payload[:4])


def send_method(sock, class_id, method_id, args):
    payload = struct.pack(">HH", class_id, method_id) + args
    sock.sendall(struct.pack(">BHI", 1, 0, len(payload)) + payload + b"\xce")


def shortstr(value):
    raw = value.encode()
    return struct.pack(">B", len(raw)) + raw


def longstr(value):
    raw = value if isinstance(value, bytes) else value.encode()
    return struct.pack(">I", len(raw)) + raw


def expect(sock, class_id, method_id, what):
    frame_type, _, payload = read_frame(sock)
    if frame_type != 1 or method(payload) != (class_id, method_id):
        raise ConnectionError(f"expected {what}, got frame {frame_type} {method(payload)}")
    return payload


def check_management(host, port, user, password):
    request = urllib.request.Request(f"http://{host}:{port}/api/overview")
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(request, timeout=3) as response:
        if response.status != 200:
            raise ConnectionError(f"management API answered {response.status}")


def main():
    host, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    check_amqp(host, port, user, password, "/")
    if len(sys.argv) > 5:
        check_management(host, int(sys.argv[5]), user, password)


def check_amqp(host, port, user, password, vhost):
    with socket.create_connection((host, port), timeout=3) as sock:
        sock.sendall(b"AMQP\x00\x00\x09\x01")
        expect(sock, 10, 10, "connection.start")
        response = b"\x00" + user.encode() + b"\x00" + password.encode()
        send_method(sock, 10, 11, longstr(b"") + shortstr("PLAIN") + longstr(response) + shortstr("en_US"))
        tune = expect(sock, 10, 30, "connection.tune (login refused?)")
        channel_max, frame_max, heartbeat = struct.unpack(">HIH", tune[4:12])
        send_method(sock, 10, 31, struct.pack(">HIH", channel_max, frame_max, 0))
        send_method(sock, 10, 40, shortstr(vhost) + shortstr("") + b"\x00")
        expect(sock, 10, 41, "connection.open-ok")
        send_method(sock, 10, 50, struct.pack(">H", 200) + shortstr("bye") + struct.pack(">HH", 0, 0))
        expect(sock, 10, 51, "connection.close-ok")


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # any failure means "not ready yet" to the caller
        print(f"rabbitmq-check: {error}", file=sys.stderr)
        sys.exit(1)
