package dev.tandem.sync.server;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket client on a plain socket, for what the JDK client cannot do: pick its source address (any of
 * 127.0.0.0/8), ask for extensions, shrink its receive buffer and never read. Frames it sends are masked with a
 * zero key; it reads whole frames only. Not thread-safe.
 */
final class RawWebSocket implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final int status;
    private final Map<String, String> headers;

    /** A frame from the server. */
    record Frame(int opcode, byte[] payload) {
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }

        String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private RawWebSocket(Socket socket, int status, Map<String, String> headers) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.status = status;
        this.headers = headers;
    }

    /**
     * Connects from {@code localAddress} to the server's {@code path} and sends the upgrade request with {@code
     * extra} headers; with {@code receiveBuffer} > 0 the socket's receive buffer is that small.
     */
    static RawWebSocket open(int port, String localAddress, String path, Map<String, String> extra, int receiveBuffer)
            throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
        StringBuilder req = new StringBuilder()
                .append("GET ")
                .append(path)
                .append(" HTTP/1.1\r\nHost: 127.0.0.1:")
                .append(port)
                .append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n")
                .append("Sec-WebSocket-Key: ")
                .append(Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII)))
                .append("\r\n");
        extra.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        req.append("\r\n");
        socket.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
        InputStream raw = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = raw.read();
            if (b < 0) {
                throw new IOException("closed during the handshake: " + head);
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(
                        lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        return new RawWebSocket(socket, status, headers);
    }

    int status() {
        return status;
    }

    /** Returns a response header of the upgrade, or null. */
    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** Sends one text frame. */
    void sendText(String text) throws IOException {
        out.write(textFrame(text));
        out.flush();
    }

    /** Returns one final text frame of {@code text} as a client sends it (masked, with a zero mask key). */
    static byte[] textFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(0x81);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) (((long) payload.length >>> shift) & 0xff));
            }
        }
        frame.write(new byte[4], 0, 4); // a zero mask key leaves the payload as it is
        frame.write(payload, 0, payload.length);
        return frame.toByteArray();
    }

    /** Reads the next whole frame. */
    Frame readFrame() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7f;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] payload = new byte[Math.toIntExact(len)];
        in.readFully(payload);
        return new Frame(b0 & 0x0f, payload);
    }

    /** Reads frames until a close frame and returns it. */
    Frame awaitClose() throws IOException {
        while (true) {
            Frame f = readFrame();
            if (f.opcode() == 8) {
                return f;
            }
        }
    }

    boolean isClosedByPeer() {
        try {
            socket.setSoTimeout(1);
            int b = socket.getInputStream().read();
            return b < 0;
        } catch (IOException e) {
            return false;
        } finally {
            try {
                socket.setSoTimeout(10_000);
            } catch (IOException ignored) {
                // closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
